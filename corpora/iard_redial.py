"""IARD's ReDial dialogues as extra material for the recommender (co-occurrence, training turns).

IARD (`<data>/iard/`, see the data README) re-annotates 336 ReDial dialogues for intents. Most
come from ReDial's *train* split, which this project otherwise lacks: each one adds movies talked
about together and recommender turns to learn from, beside the 1,000 valid dialogues. Some are
test dialogues (ids in `test_rec_turns.jsonl`): those are dropped, so nothing learned here ever
saw a test dialogue; those already among the valid dialogues are dropped too (counted once).

Movies appear inline as "Title (Year)", exactly as the catalog's `name`, so they are linked by
looking up the longest catalog name that ends at each "(Year)".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from corpora.redial import RecTurn, catalog_ids_by_name, read_dialogues
from retrieval.collaborative import DialogueMentions

_YEAR = re.compile(r"\(\d{4}\)")
MAX_TITLE_WORDS = 15  # longest catalog title, in words, that is looked for before "(Year)"
FILES = ("iard_gold.json", "iard_partial.json")


@dataclass
class Utterance:
    agent: bool  # the recommender spoke
    text: str
    items: list[str]  # catalog ids named, in order
    accepted: bool = False  # the seeker accepted (IARD act ACC)


def linked_items(text: str, names: dict[str, str]) -> list[str]:
    """Catalog ids of the "Title (Year)" mentions in `text`, longest title first at each year."""
    found = []
    for year in _YEAR.finditer(text):
        words = text[: year.start()].split()
        best = None
        for n in range(1, min(MAX_TITLE_WORDS, len(words)) + 1):
            name = " ".join(words[-n:]).lstrip(".,!?;:\"'(") + " " + year.group(0)
            best = names.get(name, best)
        if best is not None:
            found.append(best)
    return found


def read_iard_dialogues(iard_dir: Path, redial_dir: Path) -> dict[str, list[Utterance]]:
    """ReDial id -> utterances, for IARD dialogues that are neither test nor valid dialogues.
    An absent IARD folder gives none (the extra material is optional)."""
    iard_dir, redial_dir = Path(iard_dir), Path(redial_dir)
    if not iard_dir.is_dir():
        return {}
    names = catalog_ids_by_name(redial_dir)
    skip = _test_ids(redial_dir) | _valid_ids(redial_dir)
    out: dict[str, list[Utterance]] = {}
    for file in FILES:
        path = iard_dir / file
        if not path.is_file():
            continue
        for row in json.loads(path.read_text(encoding="utf-8")):
            dialogue_id = str(row["conversation_id"])
            if dialogue_id in skip or dialogue_id in out:
                continue
            out[dialogue_id] = [
                Utterance(
                    agent=u["participant"] == "AGENT",
                    text=u["utterance"],
                    items=linked_items(u["utterance"], names),
                    accepted=any(a.get("intent") == "ACC" for a in u.get("dialogue_acts", [])),
                )
                for u in row["conversation"]
            ]
    return out


def iard_mentions(dialogues: dict[str, list[Utterance]]) -> list[DialogueMentions]:
    """The collaborative model's view: items in order, those accepted, those the agent named."""
    out = []
    for dialogue_id, utterances in dialogues.items():
        order = list(dict.fromkeys(i for u in utterances for i in u.items))
        liked = {i for u in utterances if u.accepted and not u.agent for i in u.items}
        suggested = {i for u in utterances if u.agent for i in u.items}
        out.append(DialogueMentions(dialogue_id, order, liked, suggested))
    return out


def iard_rec_turns(dialogues: dict[str, list[Utterance]]) -> list[RecTurn]:
    """Every recommender utterance that names movies, as a ReDial rec turn."""
    turns = []
    for dialogue_id, utterances in dialogues.items():
        mentioned: list[str] = []
        for k, u in enumerate(utterances):
            if u.agent and u.items:
                context = [x.text for x in utterances[:k] if x.text.strip()]
                turns.append(
                    RecTurn(
                        dialogue_id,
                        k,
                        context,
                        list(dict.fromkeys(mentioned)),
                        list(dict.fromkeys(u.items)),
                    )
                )
            mentioned += u.items
    return turns


def beside(redial_dir: Path) -> Path:
    """Where IARD lies in the shared data layout: `iard/` next to `redial/`."""
    return Path(redial_dir).resolve().parent / "iard"


def learning_dialogues(redial_dir: Path) -> list[DialogueMentions]:
    """Every dialogue the collaborative model may count: ReDial valid, then IARD's extra ones."""
    return read_dialogues(redial_dir) + iard_mentions(
        read_iard_dialogues(beside(redial_dir), redial_dir)
    )


def extra_rec_turns(redial_dir: Path) -> list[RecTurn]:
    """IARD's recommender turns, to learn from beside the valid split's (never to score on)."""
    return iard_rec_turns(read_iard_dialogues(beside(redial_dir), redial_dir))


def _test_ids(redial_dir: Path) -> set[str]:
    path = redial_dir / "test_rec_turns.jsonl"
    if not path.is_file():  # without it, test dialogues cannot be told apart: use none of IARD
        raise FileNotFoundError(f"{path} is needed to keep IARD's test dialogues out")
    with path.open(encoding="utf-8") as handle:
        return {str(json.loads(line)["dialog_id"]) for line in handle}


def _valid_ids(redial_dir: Path) -> set[str]:
    path = redial_dir / "valid_dialogues.jsonl"
    if not path.is_file():
        return set()
    with path.open(encoding="utf-8") as handle:
        return {str(json.loads(line)["conversationId"]) for line in handle}
