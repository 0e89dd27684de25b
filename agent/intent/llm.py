"""Intents proposed by prompting the generative model for a `UserAct` as JSON.

Slower than rules (a JSON answer is ~60 tokens) and only as good as the model; any failure to
produce a valid act falls back to the rules, so the conversation never stalls on it.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict, Field

from agent.intent.rules import RuleIntentModel
from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable
from agent.schema import Intent, UserAct
from agent.structured import StructuredOutputError, generate_structured
from retrieval.entity_linker import EntityLinker

log = logging.getLogger(__name__)

PROMPT = (
    "Classify the user's message in a movie-recommendation chat. Answer with one JSON object "
    'only, like {"intent": "preference", "liked_titles": ["Alien"], "disliked_titles": [], '
    '"liked_genres": ["sci-fi"], "disliked_genres": [], "people": [], "positions": []}. '
    f"intent is one of: {', '.join(i.value for i in Intent)}. positions are 1-based numbers of "
    "items in the last list that the user refers to."
)


class ProposedAct(BaseModel):
    """What the model is asked to fill: a `UserAct` with titles as it writes them."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent
    liked_titles: list[str] = Field(default_factory=list)
    disliked_titles: list[str] = Field(default_factory=list)
    seen_titles: list[str] = Field(default_factory=list)
    liked_genres: list[str] = Field(default_factory=list)
    disliked_genres: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    positions: list[int] = Field(default_factory=list)

    def resolved(self, linker: EntityLinker) -> UserAct:
        """The act with each title resolved to a catalog id; titles not in it are dropped."""

        def ids(titles: list[str]) -> list[str]:
            found = (linker.resolve(t) for t in titles)
            return list(dict.fromkeys(item.id for item in found if item is not None))

        return UserAct(
            intent=self.intent,
            liked_items=ids(self.liked_titles),
            disliked_items=ids(self.disliked_titles),
            seen_items=ids(self.seen_titles),
            liked_genres=self.liked_genres,
            disliked_genres=self.disliked_genres,
            people=self.people,
            positions=self.positions,
        )


class LLMIntentModel:
    def __init__(self, llm: LanguageModel, fallback: RuleIntentModel) -> None:
        self.llm = llm
        self.fallback = fallback
        self.linker = fallback.linker  # titles the model writes are resolved here, once

    def propose(self, message: str, last_shown: int = 0, agent_said: str = "") -> UserAct:
        messages = [
            ChatMessage(role="system", content=PROMPT),
            ChatMessage(
                role="user",
                content=f"You said: {agent_said[-200:]}\nItems shown: {last_shown}. "
                f"Message: {message}",
            ),
        ]
        try:
            return generate_structured(self.llm, messages, ProposedAct).resolved(self.linker)
        except (StructuredOutputError, LLMUnavailable) as exc:
            log.warning("LLM intent failed (%s); using rules", exc)
            return self.fallback.propose(message, last_shown)
