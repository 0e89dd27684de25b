"""Writes the agent's replies.

Two ways, chosen when the agent is built (`agent/build.py`):
- the fine-tuned reply generator (`convrec train-generator`) writes the whole opening of a
  recommending turn from the recent dialogue, the state and the facts of the top picks, and the
  text of the other turns (asking for preferences, acknowledging, saying goodbye, and the
  opening of an answer about an item, whose facts still come from the catalog); every sentence
  is checked (`agent/grounding.py`) before it is shown, a failing one is sampled again once and
  then dropped, and the grounded template stands in when nothing passes;
- without it, the base model adds one friendly sentence before a templated lead; everything
  factual (titles, reasons, answers about items) comes from the catalog.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

from agent.domain import credit
from agent.generation_prompt import AGENT, REPLY_TOKENS, USER, GenerationInput, messages
from agent.grounding import GroundingChecker, Verdict, sentences_of
from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable
from agent.schema import DialogueState, Recommendation
from retrieval.entity_linker import EntityLinker
from retrieval.schema import Item

log = logging.getLogger(__name__)

INTRO_TOKENS = 16  # an interjection of a few words: well under a second on a laptop CPU
DESCRIBE_CHARS = 600  # the longest answer to "what is it about?"
STOP = [".", "!", "\n"]  # one sentence is all we keep; stopping early saves most of the time
PRESENTED = 2  # picks whose facts the generator gets: its reply names one or two of them
MAX_SENTENCES = 3  # of a generated reply; the cards carry the rest
RETRY_TOKENS = 40  # one sentence, sampled again
# The agent's non-recommending actions and the generator's act for each (generation_prompt.ACTS).
ACT_OF = {"ask": "ask", "acknowledge": "chat", "goodbye": "goodbye", "answer": "discuss"}

_GREETING = re.compile(r"^(?:hi|hello|hey)[!,.]?\s+", re.IGNORECASE)
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
class GroundingCounts:
    """What the check did to one generated reply (summed by benchmarks/generation.py)."""

    sentences: int = 0  # sentences the model wrote and the check read
    passed: int = 0  # shown as first written
    retried: int = 0  # failed, sampled again
    retry_passed: int = 0  # ... and the second try was shown
    dropped: int = 0  # failed twice: not shown (the reply ends there)
    faults: Counter = field(default_factory=Counter)  # Verdict.kind -> count


@dataclass
class Draft:
    """What the model has written so far in one call, and why it stopped early, if it did.
    Returned per call, never kept on the writer: sessions run at once share one writer."""

    text: str = ""  # checked text, safe to show
    error: str | None = None  # the model was unreachable or failed; the text is what came
    generated: bool = False  # a whole generated opening: it replaces the templated lead
    counts: GroundingCounts | None = None  # the generator's check, sentence by sentence


class Writer:
    """Writes openings with `llm`; `generator` says it is the fine-tuned reply generator
    (the whole opening, checked sentence by sentence) rather than a base model (one
    interjection before the template)."""

    def __init__(
        self, llm: LanguageModel | None, linker: EntityLinker, generator: bool = False
    ) -> None:
        self.llm = llm
        self.linker = linker
        self.generator = generator and llm is not None
        self.checker = GroundingChecker(linker)

    def warm_up(self) -> None:
        if self.llm is not None:
            try:
                self.llm.generate([ChatMessage(role="user", content="Hi")], max_tokens=1)
            except LLMUnavailable as exc:
                log.warning("language model unavailable: %s", exc)

    def stream_intro(
        self, message: str, recs: list[Recommendation], state: DialogueState | None = None
    ) -> Iterator[Draft]:
        """The opening as it grows, checked: each `Draft` holds all the text so far that may
        be shown; pass the last one to `finish_intro`. Yields nothing when there is no model;
        a last draft with `error` set when the model failed."""
        if self.llm is None:
            return
        if self.generator:
            state = state or DialogueState()
            inp = self.generation_input(message, recs, state)
            liked = [self._item(i) for i in state.liked_items]
            yield from self.stream_reply(inp, inp.genres, [i for i in liked if i is not None])
            return
        text = ""
        for draft in self._stream_reaction(message):
            text = draft.text
            if draft.error:
                yield Draft(self.check(text, {r.id for r in recs}) or "", error=draft.error)
                return
        # Only the checked sentence is ever shown: the raw one may name a movie we did not pick.
        yield Draft(self.check(text, {r.id for r in recs}) or "")

    def _stream_reaction(self, message: str) -> Iterator[Draft]:
        """The base model's raw reaction as it grows (unchecked: never shown as it is)."""
        # Framed as a friend's remark: the 135M model then reacts to it instead of answering.
        prompt = (
            f'My friend told me: "{message[:300]}". Write a short, warm reaction to what they '
            "said (one sentence, under 12 words)."
        )
        chat = [ChatMessage(role="user", content=prompt)]
        text = ""
        try:
            for piece in self.llm.stream(chat, max_tokens=INTRO_TOKENS, stop=STOP):
                text += piece
                yield Draft(text)
        except LLMUnavailable as exc:
            log.warning("language model unavailable, using a template: %s", exc)
            yield Draft(text, error=str(exc))

    def writes(self, action: str) -> bool:
        """Whether the generator writes the text of a turn with this non-recommending action."""
        return self.generator and action in ACT_OF

    def stream_turn(
        self, message: str, action: str, state: DialogueState, about: list[str] = ()
    ) -> Iterator[Draft]:
        """A non-recommending turn's text as it grows, checked like `stream_intro`'s.

        Args:
            message: the user's message.
            action: "ask", "acknowledge", "goodbye" or "answer" (see `writes`).
            state: the dialogue state after the message.
            about: ids of the items an answer is about: their facts are given, and only they
                (and the items the user liked) may be named.
        """
        items = [i for i in map(self._item, about) if i is not None]
        liked = [i for i in map(self._item, state.liked_items[-3:]) if i is not None]
        inp = GenerationInput(
            dialogue=_speakers(state.recent + [message]),
            act=ACT_OF[action],
            items=items[:PRESENTED],
            liked=[i.display_title for i in liked],
            genres=list(dict.fromkeys(state.required_genres + state.liked_genres)),
            avoid=state.disliked_genres + state.avoid_themes,
        )
        yield from self.stream_reply(inp, inp.genres, liked)

    @staticmethod
    def finish_turn(draft: Draft | None, action: str, template: str) -> str:
        """The text of a non-recommending turn: an answer keeps its facts (`template`, from
        the catalog) after the generated opening; a question for preferences that asks nothing
        gets the templated question after it; otherwise the generated text stands alone. The
        template alone when nothing generated passed the check."""
        if draft is None or not draft.text:
            return template
        if action == "answer":
            return f"{draft.text}\n{template}"
        if action == "ask" and "?" not in draft.text:
            return f"{draft.text} {_GREETING.sub('', template)}"  # "Hello! What kind of...?"
        return draft.text

    def finish_intro(self, draft: Draft | None, recs: list[Recommendation], lead: str) -> str:
        """The opening shown: the generated reply, or the checked reaction followed by the
        grounded `lead`; the lead alone when the model wrote nothing usable."""
        if draft is None or not draft.text:
            return lead
        return draft.text if draft.generated else f"{draft.text} {lead}"

    def generation_input(
        self, message: str, recs: list[Recommendation], state: DialogueState
    ) -> GenerationInput:
        """What the generator reads for a recommending turn: the recent dialogue, the state in
        short form and the facts of the top picks (from the catalog, by id)."""
        items = [self._item(r.id) for r in recs[:PRESENTED]]
        liked = [self._item(i) for i in state.liked_items[-3:]]
        return GenerationInput(
            dialogue=_speakers(state.recent + [message]),
            act="recommend",
            items=[i for i in items if i is not None],
            liked=[i.display_title for i in liked if i is not None],
            genres=list(dict.fromkeys(state.required_genres + state.liked_genres)),
            avoid=state.disliked_genres + state.avoid_themes,
        )

    def _item(self, item_id: str) -> Item | None:
        try:
            return self.linker.item(item_id)
        except KeyError:
            return None

    def stream_reply(
        self,
        inp: GenerationInput,
        wanted: list[str] = (),
        mentioned: list[Item] = (),
        seed: int = 0,
    ) -> Iterator[Draft]:
        """The generated reply, sentence by sentence, each shown only after it passed the
        check. A sentence that fails is sampled again once from the text shown so far; if that
        fails too it is dropped and the reply ends. The last draft carries the counts.

        Args:
            inp: the generator's input; `inp.items` are the items the text presents.
            wanted: genres the user asked for (the text may repeat them).
            mentioned: items the user liked, which the text may name too ("like Alien").
            seed: of the second try's sampling.
        """
        counts, shown, error = GroundingCounts(), [], None
        check = partial(
            self.checker.check,
            items=inp.items,
            wanted_genres=wanted,
            mentioned=mentioned,
            said=[text for _, text in inp.dialogue],
            before=shown,  # grows as sentences are shown
        )
        try:
            pieces = self.llm.stream(messages(inp), max_tokens=REPLY_TOKENS, stop=["\n"])
            subject: tuple[Item, ...] = ()  # what "it" refers to: the items last named
            for sentence in sentences_of(pieces):
                counts.sentences += 1
                verdict = check(sentence, subject=subject)
                if verdict.ok:
                    counts.passed += 1
                    shown.append(sentence)
                    subject = verdict.named or subject
                    yield Draft(" ".join(shown), generated=True)
                    if len(shown) >= MAX_SENTENCES:
                        break
                    continue
                counts.faults[verdict.kind] += 1
                _close(pieces)  # an in-process model holds its lock until its stream ends
                retry = self._retry(inp, shown, partial(check, subject=subject), counts, seed)
                if retry:
                    shown.append(retry)
                    yield Draft(" ".join(shown), generated=True)
                break
            _close(pieces)
        except LLMUnavailable as exc:
            log.warning("language model unavailable, using the template: %s", exc)
            error = str(exc)
        yield Draft(" ".join(shown), error=error, generated=True, counts=counts)

    def _retry(
        self,
        inp: GenerationInput,
        shown: list[str],
        check: Callable[[str], Verdict],
        counts: GroundingCounts,
        seed: int,
    ) -> str | None:
        """One sampled second try at the sentence after `shown`; None when it fails too."""
        counts.retried += 1
        prefix = " ".join(shown)
        pieces = self.llm.resample(
            messages(inp, prefix), max_tokens=RETRY_TOKENS, stop=["\n"], seed=seed
        )
        sentence = next(iter(sentences_of(pieces)), "")
        _close(pieces)
        verdict = check(sentence.strip())
        if sentence.strip() and verdict.ok:
            counts.retry_passed += 1
            return sentence.strip()
        counts.dropped += 1
        if sentence.strip():
            counts.sentences += 1
            counts.faults[verdict.kind] += 1
        return None

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


def _close(pieces: Iterator[str]) -> None:
    """End a model's stream early (an in-process model stops generating)."""
    close = getattr(pieces, "close", None)
    if close is not None:
        close()


def _speakers(utterances: list[str]) -> list[tuple[str, str]]:
    """The recent dialogue with speakers: the last is the user's message, and the saved
    utterances alternate before it. Of the agent's replies only the opening line is kept (the
    list of picks that follows it would crowd the prompt)."""
    out = []
    for back, text in enumerate(reversed(utterances)):
        agent = back % 2 == 1
        out.append((AGENT if agent else USER, text.split("\n")[0] if agent else text))
    return out[::-1]


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
