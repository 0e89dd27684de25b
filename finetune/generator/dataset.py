"""Training examples for the reply generator: the recommender side of real dialogues.

Sources: ReDial's validation dialogues (`redial/valid_dialogues.jsonl`) and IARD's ReDial
dialogues that are neither test nor valid ones (`corpora/iard_redial.py` drops those). ReDial's
test split is never read here: it is what `benchmarks/generation.py` scores on.

Each recommender turn becomes one example: the recent dialogue, the dialogue state in short form
and the facts of the items the human reply names (movie mentions `@123` rendered as catalog
titles), and the human reply as the target. Turns that name no movie teach the rest of the job:
asking for preferences, acknowledging, answering, saying goodbye.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from agent.generation_prompt import AGENT, USER, GenerationInput
from agent.grounding import GENRE_WORDS  # "comedies", "scary": the genres seekers ask for
from corpora.iard_redial import beside, read_iard_dialogues
from corpora.redial import read_valid_dialogues, seeker_answers
from retrieval.schema import Item

_MENTION = re.compile(r"@(\d+)")
_TIGHT = re.compile(r"\s+([.,!?])")  # "@123 ." rendered: no space before the stop
_BYE = re.compile(r"\b(bye|goodbye|good night|have a (?:good|great|nice)|enjoy)\b", re.IGNORECASE)
_GENRE_RE = re.compile(r"\b(" + "|".join(map(re.escape, GENRE_WORDS)) + r")\b", re.IGNORECASE)


@dataclass
class Example:
    """One recommender turn as the generator sees it."""

    dialogue_id: str
    source: str  # "redial-valid" or "iard"
    inp: GenerationInput
    reply: str  # the human recommender's words, movie mentions as catalog titles


@dataclass
class _Turn:
    agent: bool  # the recommender spoke
    text: str  # mentions rendered as titles
    items: list[str]  # catalog ids named, in order, once each


def genres_in(texts: list[str]) -> list[str]:
    """Catalog genres the texts ask for, in order of first mention."""
    found = [GENRE_WORDS[m.lower()] for t in texts for m in _GENRE_RE.findall(t)]
    return list(dict.fromkeys(found))


def act_of(turn: _Turn, mentioned_before: set[str]) -> str:
    """What a human reply does, read from its words and the items it names."""
    if turn.items:
        return "recommend" if set(turn.items) - mentioned_before else "discuss"
    if _BYE.search(turn.text):
        return "goodbye"
    return "ask" if "?" in turn.text else "chat"


def examples_from_turns(
    dialogue_id: str, source: str, turns: list[_Turn], items: dict[str, Item], liked: set[str]
) -> list[Example]:
    """One example per recommender turn. `liked`: the items the seeker said they liked."""
    out, mentioned, user_items = [], set(), []
    for k, turn in enumerate(turns):
        if turn.agent and turn.text.strip():
            dialogue = [(AGENT if t.agent else USER, t.text) for t in turns[max(0, k - 3) : k]]
            user_texts = [t.text for t in turns[:k] if not t.agent]
            inp = GenerationInput(
                dialogue=dialogue,
                act=act_of(turn, mentioned),
                items=[items[i] for i in turn.items if i in items],
                liked=[items[i].display_title for i in user_items if i in liked and i in items],
                genres=genres_in(user_texts),
            )
            out.append(Example(dialogue_id, source, inp, turn.text))
        mentioned |= set(turn.items)
        if not turn.agent:
            user_items += [i for i in turn.items if i not in user_items]
    return out


def _render(text: str, items: dict[str, Item], names: dict[str, str]) -> tuple[str, list[str]]:
    """`@123` -> the catalog's "Title (Year)"; returns the text and the ids named."""
    ids: list[str] = []

    def title(match: re.Match) -> str:
        id_ = match.group(1)
        if id_ in items:
            ids.append(id_)
            return items[id_].display_title
        return " ".join((names.get(id_) or "that movie").split())

    rendered = " ".join(_MENTION.sub(title, text).split())
    return _TIGHT.sub(r"\1", rendered), list(dict.fromkeys(ids))


def redial_turns(row: dict, items: dict[str, Item]) -> list[_Turn]:
    """A raw ReDial dialogue as alternating turns (a speaker's consecutive messages joined)."""
    recommender = row["respondentWorkerId"]
    names = row.get("movieMentions") or {}
    turns: list[_Turn] = []
    for message in row["messages"]:
        text, ids = _render(message["text"], items, names)
        agent = message["senderWorkerId"] == recommender
        if turns and turns[-1].agent == agent:
            turns[-1].text = f"{turns[-1].text} {text}".strip()
            turns[-1].items += [i for i in ids if i not in turns[-1].items]
        else:
            turns.append(_Turn(agent, text, ids))
    return turns


def redial_examples(redial_dir: Path, items: dict[str, Item]) -> list[Example]:
    """Examples from ReDial's validation dialogues (never the test split)."""
    out = []
    for row in read_valid_dialogues(redial_dir):
        turns = redial_turns(row, items)
        liked = seeker_answers(row, "liked")
        out += examples_from_turns(str(row["conversationId"]), "redial-valid", turns, items, liked)
    return out


def iard_examples(redial_dir: Path, items: dict[str, Item]) -> list[Example]:
    """Examples from IARD's non-test, non-valid ReDial dialogues (titles are inline already)."""
    out = []
    for dialogue_id, utterances in read_iard_dialogues(beside(redial_dir), redial_dir).items():
        turns: list[_Turn] = []
        for u in utterances:
            text, ids = " ".join(u.text.split()), list(dict.fromkeys(u.items))
            if turns and turns[-1].agent == u.agent:
                turns[-1].text += " " + text
                turns[-1].items += [i for i in ids if i not in turns[-1].items]
            else:
                turns.append(_Turn(u.agent, text, ids))
        # IARD has no like/dislike answers: the movies the seeker brings up stand for likes.
        liked = {i for t in turns if not t.agent for i in t.items}
        out += examples_from_turns(dialogue_id, "iard", turns, items, liked)
    return out


def load_items(redial_dir: Path) -> dict[str, Item]:
    """The ReDial catalog by id (the ids the dialogues use)."""
    from retrieval.catalog.redial import load_redial

    return {item.id: item for item in load_redial(Path(redial_dir)).items}


def training_examples(redial_dir: Path, iard: bool = True) -> list[Example]:
    """Every training example: ReDial valid, then IARD's extra dialogues."""
    items = load_items(redial_dir)
    out = redial_examples(redial_dir, items)
    return out + (iard_examples(redial_dir, items) if iard else [])
