"""Slot extraction on held-out IARD turns: the generative model filling the `UserAct` schema
(`agent.structured.generate_structured`, the prompt of `agent.intent.llm`) versus catalog
matching (`RuleIntentModel`: `EntityLinker` titles and people, lexicon genres and years).

Scored per slot type (title, genre, person, year) as micro precision / recall / F1 against the
gold slot values, plus the micro average over all types; a prediction counts when it matches an
unmatched gold value of its type (fuzzily for names, as a year range for years).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from agent.schema import UserAct
from agent.settings import Settings
from finetune.intent.dataset import IntentExample

SLOT_TYPES = {
    "TITLE": "title",
    "GENRE": "genre",
    "ACTOR": "person",
    "DIRECTOR": "person",
    "YEAR": "year",
}
KINDS = ("title", "genre", "person", "year")
_YEAR = re.compile(r"\s*\(\d{4}\)\s*$")
_DECADE = re.compile(r"\b(19|20)?(\d)0'?s\b")
_BOUND = re.compile(r"\b(before|older than|pre|after|since|newer than|post)?\s*((?:19|20)\d\d)\b")
_RANGE = re.compile(r"^((?:19|20)\d\d)?-((?:19|20)\d\d)?$")


def compare_slots(
    test: list[IntentExample],
    settings: Settings,
    llm_path: Path,
    limit: int,
    progress: bool = True,
    llm_limit: int | None = None,
) -> dict:
    """Score both extractors on the first `limit` held-out turns that have gold slots; the
    generative model (slow on CPU: ~100 tokens of JSON per turn) only on the first `llm_limit`
    of them, where catalog matching is scored again for a like-for-like comparison."""
    from tqdm.auto import tqdm

    from agent.build import build_index
    from agent.intent.rules import RuleIntentModel
    from retrieval.entity_linker import EntityLinker

    turns = [e for e in test if any(s in SLOT_TYPES for s, _ in e.slots)][:limit]
    items = list(build_index(settings).items().values())
    linker = EntityLinker(items)
    rules = RuleIntentModel(linker, {g for item in items for g in item.genres})
    llm_extract = _llm_extractor(llm_path)
    predictions: dict[str, list[dict]] = {"catalog-matching": [], "llm-structured": []}
    seconds = {"catalog-matching": 0.0, "llm-structured": 0.0}
    failures = 0
    llm_limit = len(turns) if llm_limit is None else llm_limit
    for n, example in enumerate(tqdm(turns, desc="slots", disable=not progress)):
        started = time.perf_counter()
        predictions["catalog-matching"].append(
            rule_slots(rules.propose(example.utterance, 1), linker)
        )
        seconds["catalog-matching"] += time.perf_counter() - started
        if n >= llm_limit:
            continue
        started = time.perf_counter()
        act = llm_extract(example.utterance)
        seconds["llm-structured"] += time.perf_counter() - started
        failures += act is None
        predictions["llm-structured"].append(_slots(act) if act else _empty())
    gold = [gold_slots(e) for e in turns]
    report = {name: score(gold, predicted) for name, predicted in predictions.items()}
    report["catalog-matching (llm turns)"] = score(
        gold[:llm_limit], predictions["catalog-matching"][:llm_limit]
    )
    report["llm-structured"]["invalid_outputs"] = failures
    for name, spent in seconds.items():
        done = len(turns) if name == "catalog-matching" else llm_limit
        report[name]["ms_per_turn"] = 1000 * spent / max(1, done)
    report["turns"], report["llm_turns"] = len(turns), llm_limit
    return report


def _llm_extractor(llm_path: Path):
    from agent.intent.llm import PROMPT, ProposedAct
    from agent.llm.base import ChatMessage
    from agent.llm.transformers_model import TransformersModel
    from agent.structured import StructuredOutputError, generate_structured

    llm = TransformersModel(llm_path)

    def extract(utterance: str) -> ProposedAct | None:
        messages = [
            ChatMessage(role="system", content=PROMPT),
            ChatMessage(role="user", content=f"Items shown: 1. Message: {utterance}"),
        ]
        try:
            return generate_structured(llm, messages, ProposedAct, retries=0, max_tokens=100)
        except StructuredOutputError:
            return None

    return extract


def _empty() -> dict[str, list[str]]:
    return {kind: [] for kind in KINDS}


def _slots(act) -> dict[str, list[str]]:
    """Slots of the model's own answer (`ProposedAct`): titles as it wrote them."""
    return {
        "title": act.liked_titles + act.disliked_titles + act.seen_titles,
        "genre": act.liked_genres + act.disliked_genres,
        "person": list(act.people),
        "year": [],
    }


def rule_slots(act: UserAct, linker) -> dict[str, list[str]]:
    """Slots of the rules' act: linked ids, shown as the titles they stand for."""
    ids = act.liked_items + act.disliked_items + act.seen_items
    years = (
        []
        if act.year_min is None and act.year_max is None
        else [f"{act.year_min or ''}-{act.year_max or ''}"]
    )
    return {
        "title": [linker.item(i).display_title for i in ids],
        "genre": act.liked_genres + act.disliked_genres,
        "person": list(act.people),
        "year": years,
    }


def gold_slots(example: IntentExample) -> dict[str, list[str]]:
    slots = _empty()
    for slot, value in example.slots:
        if slot in SLOT_TYPES:
            slots[SLOT_TYPES[slot]].append(value)
    return slots


def _key(text: str, kind: str) -> str:
    from retrieval.entity_linker import normalise

    key = normalise(_YEAR.sub("", text))
    if kind == "genre":
        from agent.intent.lexicon import GENRE_SYNONYMS

        key = " ".join(GENRE_SYNONYMS.get(key, [key]))
        key = re.sub(r"(ies)$", "y", key).removesuffix(" movies").rstrip("s")
    return key


def year_range(text: str) -> tuple[int | None, int | None] | None:
    """The years a phrase means: "80's" -> (1980, 1989), "before 2000" -> (None, 2000), "1995"
    -> (1995, 1995), "1990-" (how `rule_slots` writes a range) -> (1990, None); None: no year."""
    text = text.lower().strip()
    if match := _RANGE.match(text):
        low, high = match.groups()
        return (int(low) if low else None, int(high) if high else None) if low or high else None
    if match := _DECADE.search(text):
        century = match.group(1) or ("20" if match.group(2) in "012" else "19")
        start = int(century + match.group(2) + "0")
        return start, start + 9
    if match := _BOUND.search(text):
        year = int(match.group(2))
        if match.group(1) in ("before", "older than", "pre"):
            return None, year
        return (year, None) if match.group(1) else (year, year)
    return None


def _same_years(a: str, b: str) -> bool:
    """Equal ranges, each bound within a year ("before 2000" is 1999 or 2000 by taste)."""
    ra, rb = year_range(a), year_range(b)
    if ra is None or rb is None:
        return False
    return all(
        (x is None) == (y is None) and (x is None or abs(x - y) <= 1) for x, y in zip(ra, rb)
    )


def _matches(predicted: str, gold: str, kind: str) -> bool:
    from rapidfuzz import fuzz

    if kind == "year":
        return _same_years(predicted, gold)
    a, b = _key(predicted, kind), _key(gold, kind)
    return bool(a and b) and (a == b or fuzz.ratio(a, b) >= 88 or (kind == "genre" and a in b))


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "gold": n_gold,
        "predicted": n_pred,
        "correct": tp,
    }


def _count(gold: list[str], predicted: list[str], kind: str) -> int:
    """Predictions that match a gold value not matched before (one-to-one, greedy)."""
    remaining, tp = list(gold), 0
    for value in predicted:
        hit = next((x for x in remaining if _matches(value, x, kind)), None)
        if hit is not None:
            remaining.remove(hit)
            tp += 1
    return tp


def score(gold: list[dict], predicted: list[dict]) -> dict:
    """Micro precision / recall / F1 per slot type over aligned turns, and over all types.

    Args:
        gold: per turn, slot type (`KINDS`) -> gold values; a missing type has none.
        predicted: per turn, slot type -> predicted values, aligned with `gold`.

    Returns:
        {kind: {"precision", "recall", "f1", "gold", "predicted", "correct"}} for every kind
        and "micro" (the counts of all kinds pooled).
    """
    result = {}
    for kind in KINDS:
        tp = n_pred = n_gold = 0
        for g, p in zip(gold, predicted, strict=True):
            n_gold += len(g.get(kind, []))
            n_pred += len(p.get(kind, []))
            tp += _count(g.get(kind, []), p.get(kind, []), kind)
        result[kind] = _prf(tp, n_pred, n_gold)
    result["micro"] = _prf(
        *(sum(result[k][n] for k in KINDS) for n in ("correct", "predicted", "gold"))
    )
    return result
