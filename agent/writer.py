"""Writes the agent's replies. The language model adds one friendly sentence; everything factual
(titles, reasons, answers about items) comes from the catalog. What the model writes is checked:
a sentence that names a movie we did not pick, loops, or rambles is replaced by a template."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable
from agent.schema import Recommendation
from retrieval.entity_linker import EntityLinker
from retrieval.schema import Item

log = logging.getLogger(__name__)

INTRO_TOKENS = 28  # ~2 s on a laptop CPU with the 135M default model
STOP = [".", "!", "\n"]  # one sentence is all we keep; stopping early saves most of the time
SYSTEM = (
    "You are a warm, concise movie recommender. Reply with exactly one short upbeat sentence "
    "(under 20 words) that introduces the picks. Never name or invent any movie title."
)
# A worked example steers a 135M model far better than instructions alone.
EXAMPLE = [
    ("The user said: \"I love space adventures\". You found 5 movies (adventure, sci-fi). "
     "Introduce them in one sentence.",
     "Great taste: these space adventures should keep you on the edge of your seat!"),
]
# Phrases that show the model has lost the thread (apologies, refusals, talking about itself).
_OFF_TOPIC = re.compile(
    r"\b(sorry|as an ai|language model|i can't|i cannot|i don't|i do not|loss|prompt|"
    r"assistant|introduction)\b", re.IGNORECASE
)


class Writer:
    def __init__(self, llm: LanguageModel | None, linker: EntityLinker) -> None:
        self.llm = llm
        self.linker = linker
        self.last_error: str | None = None

    def warm_up(self) -> None:
        if self.llm is not None:
            try:
                self.llm.generate([ChatMessage(role="user", content="Hi")], max_tokens=1)
            except LLMUnavailable as exc:
                log.warning("language model unavailable: %s", exc)

    def stream_intro(self, message: str, recs: list[Recommendation]) -> Iterator[str]:
        """The model's raw opening sentence, piece by piece; pass the joined text to
        `finish_intro`, which checks it. Yields nothing when there is no model or it is down."""
        self.last_error = None
        if self.llm is None:
            return
        genres = sorted({g for r in recs for g in r.genres})[:4]
        prompt = (
            f'The user said: "{message[:300]}". You found {len(recs)} movies '
            f"({', '.join(genres) or 'various genres'}). Introduce them in one sentence."
        )
        messages = [ChatMessage(role="system", content=SYSTEM)]
        for question, answer in EXAMPLE:
            messages += [ChatMessage(role="user", content=question),
                         ChatMessage(role="assistant", content=answer)]
        messages.append(ChatMessage(role="user", content=prompt))
        try:
            yield from self.llm.stream(messages, max_tokens=INTRO_TOKENS, stop=STOP)
        except LLMUnavailable as exc:
            self.last_error = str(exc)
            log.warning("language model unavailable, using a template: %s", exc)

    def finish_intro(self, text: str, recs: list[Recommendation]) -> str:
        """The checked sentence, or a template when the model's text is unusable."""
        fallback = "Here are some picks for you:" if len(recs) > 1 else "Here is a pick for you:"
        return self.check(text, {r.id for r in recs}) or fallback

    def check(self, text: str, allowed_ids: set[str]) -> str | None:
        """The first sentence of `text` if it is safe to show, else None."""
        sentence = _first_sentence(text)
        if not sentence or len(sentence.split()) < 3 or len(sentence) > 200:
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


def format_list(recs: list[Recommendation]) -> str:
    return "\n".join(f"{i}. {r.title}{f' ({r.year})' if r.year else ''} — {r.reason}"
                     for i, r in enumerate(recs, 1))


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
    text = " ".join(facts[:1]) + (" " + ", ".join(facts[1:]) if len(facts) > 1 else "") + "."
    return text + (f" {item.text}" if item.text else "")
