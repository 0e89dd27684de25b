"""Intents proposed by prompting the generative model for a `UserAct` as JSON.

Slower than rules (a JSON answer is ~60 tokens) and only as good as the model; any failure to
produce a valid act falls back to the rules, so the conversation never stalls on it.
"""

from __future__ import annotations

import logging

from agent.intent.rules import RuleIntentModel
from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable
from agent.schema import Intent, UserAct
from agent.structured import StructuredOutputError, generate_structured

log = logging.getLogger(__name__)

PROMPT = (
    "Classify the user's message in a movie-recommendation chat. Answer with one JSON object "
    'only, like {"intent": "preference", "liked_titles": ["Alien"], "disliked_titles": [], '
    '"liked_genres": ["sci-fi"], "disliked_genres": [], "people": [], "positions": []}. '
    f"intent is one of: {', '.join(i.value for i in Intent)}. positions are 1-based numbers of "
    "items in the last list that the user refers to."
)


class LLMIntentModel:
    def __init__(self, llm: LanguageModel, fallback: RuleIntentModel) -> None:
        self.llm = llm
        self.fallback = fallback

    def propose(self, message: str, last_shown: int = 0, agent_said: str = "") -> UserAct:
        messages = [
            ChatMessage(role="system", content=PROMPT),
            ChatMessage(role="user", content=f"You said: {agent_said[-200:]}\nItems shown: {last_shown}. "
                        f"Message: {message}"),
        ]
        try:
            return generate_structured(self.llm, messages, UserAct)
        except (StructuredOutputError, LLMUnavailable) as exc:
            log.warning("LLM intent failed (%s); using rules", exc)
            return self.fallback.propose(message, last_shown)
