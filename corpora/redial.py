"""Readers for the ReDial files in `<data>/redial/` (see that folder's README.md).

Rec turns (`{split}_rec_turns.jsonl`) feed the benchmark and the learned parts' training pairs;
the raw validation dialogues feed the collaborative model. Movie names are mapped to catalog ids
through `catalog.json`, whose `name` is exactly what the rec-turn files use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from retrieval.collaborative import DialogueMentions

_MENTION = re.compile(r"@(\d+)")


@dataclass
class RecTurn:
    """One recommender turn: what was said before, and the movies the recommender named."""

    dialogue_id: str
    turn_id: int
    context: list[str]  # earlier utterances, oldest first, movie names inline as "Title (Year)"
    mentioned: list[str]  # catalog ids of movies mentioned before this turn (the `entity` field)
    targets: list[str]  # catalog ids the recommender named in this turn


def _squash(name: str) -> str:
    return " ".join(name.split())


def catalog_ids_by_name(redial_dir: Path) -> dict[str, str]:
    """'Title (Year)' -> catalog id."""
    rows = json.loads((Path(redial_dir) / "catalog.json").read_text(encoding="utf-8"))
    return {_squash(row["name"]): id_ for id_, row in rows.items()}


def read_rec_turns(redial_dir: Path, split: str) -> list[RecTurn]:
    """All recommender turns of `split` ('valid' or 'test'), in file order."""
    path = Path(redial_dir) / f"{split}_rec_turns.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"ReDial rec turns not found: {path}")
    ids = catalog_ids_by_name(redial_dir)
    turns = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            turns.append(
                RecTurn(
                    dialogue_id=str(row["dialog_id"]),
                    turn_id=int(row["turn_id"]),
                    context=[u for u in row["context"] if u.strip()],
                    mentioned=[ids[_squash(e)] for e in row["entity"] if _squash(e) in ids],
                    targets=[ids[_squash(r)] for r in row["rec"] if _squash(r) in ids],
                )
            )
    return turns


def read_valid_dialogues(redial_dir: Path) -> Iterator[dict]:
    """The raw validation dialogues (`valid_dialogues.jsonl`), one JSON row each."""
    path = Path(redial_dir) / "valid_dialogues.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"ReDial dialogues not found: {path}")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def seeker_answers(row: dict, question: str) -> set[str]:
    """The movies the seeker's questionnaire marks with `question` ("liked", "suggested")."""
    answers = row.get("initiatorQuestions") or {}
    return {id_ for id_, a in answers.items() if isinstance(a, dict) and a.get(question) == 1}


def read_dialogues(redial_dir: Path) -> list[DialogueMentions]:
    """Items of each raw validation dialogue in order of first mention, with the seeker's likes."""
    dialogues = []
    for row in read_valid_dialogues(redial_dir):
        known = {id_ for id_, name in row.get("movieMentions", {}).items() if name}
        order = [
            id_ for m in row["messages"] for id_ in _MENTION.findall(m["text"]) if id_ in known
        ]
        order += sorted(known - set(order))
        dialogues.append(
            DialogueMentions(
                str(row["conversationId"]),
                order,
                seeker_answers(row, "liked"),
                seeker_answers(row, "suggested"),
            )
        )
    return dialogues


def instances(turn: RecTurn, protocol: str) -> list[str]:
    """Targets that count under the protocol: all, or only those not mentioned before (dedup)."""
    if protocol == "dedup":
        return [t for t in turn.targets if t not in turn.mentioned]
    return list(turn.targets)


def load_turns(
    redial_dir: Path, split: str, protocol: str, limit: int | None = None
) -> list[RecTurn]:
    """Turns with at least one instance under the protocol, optionally the first `limit`."""
    turns = [t for t in read_rec_turns(redial_dir, split) if instances(t, protocol)]
    return turns[:limit] if limit else turns
