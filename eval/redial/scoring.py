"""Ranking and scoring of the ReDial benchmark (protocols in the data README and eval/README.md).

For every recommender turn the context becomes the agent's `RetrievalQuery` (`ContextReader`),
and `RecommendationPipeline.recommend`, the agent's own code path, ranks the catalog once. Each
(turn, target) pair is one instance. Under `dedup`, targets already mentioned earlier do not count
(`corpora.redial.instances`).

On the valid split the collaborative model is rebuilt per fold without the fold's own dialogues
(`corpora.folds`), so tuning there never sees a target's own co-occurrences. On test it is
counted on all of valid (plus IARD's ReDial dialogues that are not test dialogues, see
`corpora/iard_redial.py`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from corpora.folds import fold_of
from corpora.redial import RecTurn, instances
from eval import metrics

if TYPE_CHECKING:
    from agent.context_reader import ContextReader
    from retrieval.collaborative import CoOccurrence
    from retrieval.pipeline import RecommendationPipeline
    from retrieval.schema import RetrievalQuery

DEPTH = 50  # every turn is ranked this deep: enough for Recall@50


@dataclass
class ConfigResult:
    """The averaged metrics of one configuration."""

    name: str
    instances: int = 0
    turns: int = 0
    recall_at_1: float = 0.0
    recall_at_10: float = 0.0
    recall_at_50: float = 0.0
    ndcg_at_10: float = 0.0
    mrr: float = 0.0
    coverage_at_10: float = 0.0
    ild_at_10: float = 0.0
    novelty_at_10: float = 0.0
    gini_at_10: float = 0.0
    seconds: float = 0.0
    diversity: float = 0.0  # the MMR lambda it ran with


@dataclass
class Ranking:
    """What one configuration produced for one turn."""

    turn: RecTurn
    ranked: list[str]
    targets: list[str] = field(default_factory=list)  # the instances this turn contributes


def build_queries(
    reader: ContextReader, turns: list[RecTurn], diversity: float = 0.0
) -> list[RetrievalQuery]:
    return [reader.query(t.context, k=DEPTH, diversity=diversity) for t in turns]


def run(
    pipeline: RecommendationPipeline,
    turns: list[RecTurn],
    queries: list[RetrievalQuery],
    protocol: str,
    collaborative: dict[int, CoOccurrence] | None,
    progress: str | None = None,
) -> list[Ranking]:
    """Rank once per turn. `collaborative` maps fold -> model (valid) or {0: model} (test)."""
    from tqdm import tqdm

    order = sorted(range(len(turns)), key=lambda i: _fold(turns[i], collaborative))
    out: list[Ranking | None] = [None] * len(turns)
    current, folded = -1, pipeline
    for i in tqdm(order, desc=progress, unit="turn", disable=progress is None):
        fold = _fold(turns[i], collaborative)
        if collaborative is not None and fold != current:
            # a pipeline over this fold's held-out model, built; the one passed in is untouched
            folded, current = pipeline.with_collaborative(collaborative[fold]), fold
        ranked = [c.item.id for c in folded.recommend(queries[i]).candidates]
        out[i] = Ranking(turns[i], ranked, instances(turns[i], protocol))
    return [r for r in out if r is not None]


def _fold(turn: RecTurn, collaborative: dict[int, CoOccurrence] | None) -> int:
    if not collaborative or len(collaborative) == 1:
        return next(iter(collaborative)) if collaborative else 0
    return fold_of(turn.dialogue_id, len(collaborative))


def never_mentioned(
    turns: list[RecTurn], protocol: str, collaborative: dict[int, CoOccurrence]
) -> float:
    """Share of instances whose target no learning dialogue mentions (its fold's model on valid):
    what co-occurrence and the learned parts cannot know, the cap on what more data would lift."""
    unseen = total = 0
    for turn in turns:
        model = collaborative[_fold(turn, collaborative)]
        for target in instances(turn, protocol):
            total += 1
            unseen += model.mentions.get(target, 0.0) == 0
    return unseen / total if total else 0.0


def score(
    name: str,
    rankings: list[Ranking],
    vectors,
    popularity: dict[str, float],
    catalog: list[str],
    seconds: float,
) -> ConfigResult:
    """Average the accuracy metrics over instances and the list metrics over turns.

    Args:
        vectors: callable ids -> unit embeddings, for intra-list diversity.
        popularity: item id -> mention count on the valid split, for novelty.
    """
    result = ConfigResult(name=name, turns=len(rankings), seconds=round(seconds, 1))
    sums: dict[str, float] = defaultdict(float)
    for r in rankings:
        for target in r.targets:
            relevant = {target}
            sums["recall_at_1"] += metrics.recall_at_k(r.ranked, relevant, 1)
            sums["recall_at_10"] += metrics.recall_at_k(r.ranked, relevant, 10)
            sums["recall_at_50"] += metrics.recall_at_k(r.ranked, relevant, 50)
            sums["ndcg_at_10"] += metrics.ndcg_at_k(r.ranked, relevant, 10)
            sums["mrr"] += metrics.reciprocal_rank(r.ranked, relevant)
            result.instances += 1
    for key, total in sums.items():
        setattr(result, key, round(total / max(result.instances, 1), 4))
    tops = [r.ranked[:10] for r in rankings]
    total_pop = sum(popularity.values())
    result.coverage_at_10 = round(metrics.catalog_coverage(tops, len(catalog)), 4)
    result.gini_at_10 = round(metrics.gini_index(tops, catalog), 4)
    result.novelty_at_10 = round(_mean(metrics.novelty(t, popularity, total_pop) for t in tops), 3)
    result.ild_at_10 = round(_mean(metrics.intra_list_diversity(vectors(t)) for t in tops if t), 4)
    return result


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def report(split: str, protocol: str, results: list[ConfigResult], wall: float, **extra) -> dict:
    return {
        "split": split,
        "protocol": protocol,
        "wall_seconds": round(wall, 1),
        "configs": {r.name: asdict(r) for r in results},
        **extra,
    }


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started
