"""Training groups for the cross-encoder, from the ReDial VALID split only (never test).

One group per (turn, target): the user profile the ranker would show the cross-encoder, the
target's text as the positive, and the hardest negatives the pipeline itself ranks highest for
that turn (with co-occurrence counted without the turn's own dialogue), plus one random item.
Dialogues of fold `DEV_FOLD` are held out so the reranker's weight can be tuned on turns it has
not seen.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.pipeline import RecommendationPipeline

FOLDS = 5
DEV_FOLD = 4  # held out from training: the reranker weight is tuned on these dialogues


@dataclass
class Group:
    """One listwise training example: the positive is `documents[0]`."""

    profile: str
    documents: list[str]


def build_groups(
    pipeline: RecommendationPipeline,
    redial_dir: Path,
    negatives: int = 7,
    limit: int | None = None,
    seed: int = 13,
    progress: bool = True,
) -> list[Group]:
    """Groups for every valid turn outside the dev fold (optionally the first `limit` turns)."""
    from tqdm import tqdm

    from agent.context_reader import ContextReader
    from corpora.folds import collaborative_models, fold_of
    from corpora.redial import instances, load_turns

    rng = random.Random(seed)
    items = pipeline.context.memory.items()
    catalog = list(items)
    turns = [
        t
        for t in load_turns(redial_dir, "valid", "dedup")
        if fold_of(t.dialogue_id, FOLDS) != DEV_FOLD
    ][:limit]
    reader = ContextReader(list(items.values()))
    folds = {
        fold: pipeline.with_collaborative(model)  # each holds its own fold out
        for fold, model in collaborative_models(redial_dir, "valid").items()
    }
    groups = []
    for turn in tqdm(turns, desc="training groups", unit="turn", disable=not progress):
        folded = folds[fold_of(turn.dialogue_id, FOLDS)]
        query = reader.query(turn.context, k=negatives + 10)
        ranked = [c.item.id for c in folded.recommend(query).candidates]
        targets = instances(turn, "dedup")
        hard = [i for i in ranked if i not in targets][: negatives - 1]
        profile = folded.ranker.profile(query)
        for target in targets:
            easy = rng.choice(catalog)
            negative_ids = hard + ([easy] if easy not in targets and easy not in hard else [])
            groups.append(Group(profile, [items[i].document() for i in [target, *negative_ids]]))
    return groups
