"""Slot extraction on held-out IARD turns: the generative model filling the `UserAct` schema
(`agent.structured.generate_structured`, the prompt of `agent.intent.llm`) versus catalog
matching (`RuleIntentModel`: `EntityLinker` titles and people, lexicon genres).

Scored per slot type (title, genre, person) as micro precision / recall / F1 against the gold
slot values; a prediction counts when it fuzzily matches an unmatched gold value of its type.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from agent.schema import UserAct
from agent.settings import Settings
from finetune.intent.dataset import IntentExample

SLOT_TYPES = {"TITLE": "title", "GENRE": "genre", "ACTOR": "person", "DIRECTOR": "person"}
_YEAR = re.compile(r"\s*\(\d{4}\)\s*$")


def compare_slots(test: list[IntentExample], settings: Settings, llm_path: Path, limit: int,
                  progress: bool = True, llm_limit: int | None = None) -> dict:
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
        predictions["catalog-matching"].append(_rule_slots(rules.propose(example.utterance, 1),
                                                           linker))
        seconds["catalog-matching"] += time.perf_counter() - started
        if n >= llm_limit:
            continue
        started = time.perf_counter()
        act = llm_extract(example.utterance)
        seconds["llm-structured"] += time.perf_counter() - started
        failures += act is None
        predictions["llm-structured"].append(_slots(act) if act else _empty())
    gold = [_gold(e) for e in turns]
    report = {name: score(gold, predicted) for name, predicted in predictions.items()}
    report["catalog-matching (llm turns)"] = score(gold[:llm_limit],
                                                   predictions["catalog-matching"][:llm_limit])
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
        messages = [ChatMessage(role="system", content=PROMPT),
                    ChatMessage(role="user", content=f"Items shown: 1. Message: {utterance}")]
        try:
            return generate_structured(llm, messages, ProposedAct, retries=0, max_tokens=100)
        except StructuredOutputError:
            return None

    return extract


def _empty() -> dict[str, list[str]]:
    return {"title": [], "genre": [], "person": []}


def _slots(act) -> dict[str, list[str]]:
    """Slots of the model's own answer (`ProposedAct`): titles as it wrote them."""
    return {"title": act.liked_titles + act.disliked_titles + act.seen_titles,
            "genre": act.liked_genres + act.disliked_genres, "person": list(act.people)}


def _rule_slots(act: UserAct, linker) -> dict[str, list[str]]:
    """Slots of the rules' act: linked ids, shown as the titles they stand for."""
    ids = act.liked_items + act.disliked_items + act.seen_items
    return {"title": [linker.item(i).display_title for i in ids],
            "genre": act.liked_genres + act.disliked_genres, "person": list(act.people)}


def _gold(example: IntentExample) -> dict[str, list[str]]:
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


def _matches(predicted: str, gold: str, kind: str) -> bool:
    from rapidfuzz import fuzz

    a, b = _key(predicted, kind), _key(gold, kind)
    return bool(a and b) and (a == b or fuzz.ratio(a, b) >= 88 or (kind == "genre" and a in b))


def score(gold: list[dict], predicted: list[dict]) -> dict:
    """Micro precision / recall / F1 per slot type over aligned turns."""
    result = {}
    for kind in ("title", "genre", "person"):
        tp = n_pred = n_gold = 0
        for g, p in zip(gold, predicted):
            remaining = list(g[kind])
            n_gold += len(remaining)
            n_pred += len(p[kind])
            for value in p[kind]:
                hit = next((x for x in remaining if _matches(value, x, kind)), None)
                if hit is not None:
                    remaining.remove(hit)
                    tp += 1
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[kind] = {"precision": precision, "recall": recall, "f1": f1, "gold": n_gold}
    return result
