"""Writes the agent's replies. The language model adds one friendly sentence; everything factual
(titles, reasons, answers about items) comes from the catalog. What the model writes is checked:
a sentence that names an item we did not pick, loops, or rambles is replaced by a template."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from agent.domain import credit
from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable
from agent.schema import DialogueState, Recommendation
from retrieval.entity_linker import EntityLinker
from retrieval.schema import Item

log = logging.getLogger(__name__)

INTRO_TOKENS = 16  # an interjection of a few words: well under a second on a laptop CPU
DESCRIBE_CHARS = 600  # the longest answer to "what is it about?"
STOP = [".", "!", "\n"]  # one sentence is all we keep; stopping early saves most of the time
_THEME_WORDS = {"violence": "violence", "horror": "scares", "adult": "adult content"}
# A 135M model writes a good short reaction and little else, so that is all it is asked for;
# the facts that follow it (what was picked and why) come from the catalog.
# Phrases that show the model has lost the thread (apologies, refusals, talking about itself).
_OFF_TOPIC = re.compile(
    r"\b(sorry|as an ai|language model|i can't|i cannot|i don't|i do not|loss|prompt|"
    r"assistant|introduction|question|friend|hear that)\b",
    re.IGNORECASE,
)


@dataclass
class Draft:
    """What the model has written so far in one call, and why it stopped early, if it did.
    Returned per call, never kept on the writer: sessions run at once share one writer."""

    text: str = ""
    error: str | None = None  # the model was unreachable or failed; the text is what came


class Writer:
    def __init__(self, llm: LanguageModel | None, linker: EntityLinker) -> None:
        self.llm = llm
        self.linker = linker

    def warm_up(self) -> None:
        if self.llm is not None:
            try:
                self.llm.generate([ChatMessage(role="user", content="Hi")], max_tokens=1)
            except LLMUnavailable as exc:
                log.warning("language model unavailable: %s", exc)

    def stream_intro(self, message: str, recs: list[Recommendation]) -> Iterator[Draft]:
        """The model's raw opening sentence as it grows (each `Draft` holds all text so far);
        pass the last draft's text to `finish_intro`, which checks it. Yields nothing when there
        is no model; a last draft with `error` set when the model failed."""
        if self.llm is None:
            return
        # Framed as a friend's remark: the 135M model then reacts to it instead of answering.
        prompt = (
            f'My friend told me: "{message[:300]}". Write a short, warm reaction to what they '
            "said (one sentence, under 12 words)."
        )
        messages = [ChatMessage(role="user", content=prompt)]
        text = ""
        try:
            for piece in self.llm.stream(messages, max_tokens=INTRO_TOKENS, stop=STOP):
                text += piece
                yield Draft(text)
        except LLMUnavailable as exc:
            log.warning("language model unavailable, using a template: %s", exc)
            yield Draft(text, error=str(exc))

    def finish_intro(self, text: str, recs: list[Recommendation], lead: str) -> str:
        """The model's checked reaction followed by the grounded `lead`; the lead alone when
        the model's text is unusable."""
        reaction = self.check(text, {r.id for r in recs})
        return f"{reaction} {lead}" if reaction else lead

    def check(self, text: str, allowed_ids: set[str]) -> str | None:
        """The first sentence of `text` if it is safe to show, else None."""
        sentence = _first_sentence(text)
        if not sentence or len(sentence.split()) > 20 or len(sentence) > 160:
            return None
        named = {m.item_id for m in self.linker.find_titles(sentence)}
        if named - allowed_ids or re.search(r"\((?:19|20)\d\d\)", sentence):
            return None  # the model named a movie it was not given: never show invented titles
        if _OFF_TOPIC.search(sentence):
            return None
        words = sentence.lower().split()
        if len(set(words)) < 0.6 * len(words):
            return None  # looping
        return sentence


def _first_sentence(text: str) -> str:
    text = " ".join(text.replace('"', "").split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = (match.group(1) if match else text).strip()
    # Servers drop the stop string from the answer, transformers keeps it; end it either way.
    return sentence if not sentence or sentence[-1] in ".!?" else sentence + "."


def lead(state: DialogueState, titles: dict[str, str], count: int) -> str:
    """A factual opening that says what the picks are based on, from the dialogue state."""
    basis = [titles[i] for i in state.liked_items[-2:] if i in titles]
    text = f"Here {'are' if count > 1 else 'is'} {count} pick{'s' if count > 1 else ''}"
    if basis:
        text += " based on " + " and ".join(basis)
    if state.required_genres:
        text += f", {' or '.join(state.required_genres)} only"
    avoided = state.disliked_genres[:4] + [_THEME_WORDS.get(t, t) for t in state.avoid_themes]
    if avoided:
        text += f", no {', '.join(avoided)}"
    if state.year_min or state.year_max:
        text += f", {state.year_min or '…'}–{state.year_max or 'now'}"
    return text + ":"


def format_list(recs: list[Recommendation]) -> str:
    return "\n".join(
        f"{i}. {r.title}{f' ({r.year})' if r.year else ''} — {r.reason}"
        for i, r in enumerate(recs, 1)
    )


def describe(item: Item) -> str:
    """A factual answer about one item."""
    facts = [f"{item.display_title}"]
    if item.genres:
        facts.append(f"is {', '.join(item.genres)}")
    directors = item.people.get("director") or []
    if directors:
        facts.append(f"directed by {', '.join(directors[:2])}")
    stars = item.people.get("star") or []
    if stars:
        facts.append(f"starring {', '.join(stars[:3])}")
    for role, names in item.people.items():  # any other role a catalog has: author, brand...
        if names and role not in ("director", "star", "writer"):
            facts.append(credit(role, ", ".join(names[:2])))
    text = " ".join(facts[:1]) + (" " + ", ".join(facts[1:]) if len(facts) > 1 else "") + "."
    text += f" {item.text}" if item.text else ""
    # A catalog row may hold a whole plot (200 KB seen): the reply and the saved state stay small.
    return text if len(text) <= DESCRIBE_CHARS else text[: DESCRIBE_CHARS - 1].rstrip() + "…"
