"""Tune `RankWeights` on the ReDial VALID split (never test), with held-out co-occurrence folds.

    nice -n 10 .venv/bin/python benchmarks/tune_weights.py --db /tmp/a3db [--limit 800]

Candidates and their signals come from `finetune.ranker_train.collect` (the agent's own retriever
and ranker, each turn with the co-occurrence of its fold); a coordinate search over the weights
then re-scores them in numpy. Prints the best weights and their Recall@10/50 (dedup). Put the
result in `retrieval/ranker.py::RankWeights`: the fallback when no learned ranker is trained.
"""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

import numpy as np

from corpora.paths import data_path
from finetune.ranker_train import collect, recall
from retrieval.ranker import RankWeights
from retrieval.signals import FEATURES

# The hand-weighted signals: the fields of RankWeights the trees also read (not the
# cross-encoder's or the dialogue encoder's, which are added outside the sum).
TUNED = tuple(f.name for f in fields(RankWeights) if f.name in FEATURES)
COLUMNS = [FEATURES.index(s) for s in TUNED]
GRID = {
    "similarity": [0.0, 0.1, 0.2, 0.3, 0.5, 1.0],
    "collaborative": [0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 2.0, 4.0],
    "popularity": [0.0, 0.1, 0.2, 0.3, 0.5, 0.8],
    "genre": [0.0, 0.05, 0.1, 0.15, 0.2, 0.3],
    "people": [0.0, 0.1, 0.2, 0.3, 0.5],
    "seed_similarity": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5],
    "seed_genre": [0.0, 0.05, 0.1, 0.15, 0.2],
    "era": [0.0, 0.02, 0.05, 0.1, 0.15],
}


def weighted_recall(rows, weights: dict[str, float]) -> tuple[float, float]:
    w = np.array([weights[s] for s in TUNED], dtype="float32")
    return recall(rows, lambda r: r.features[:, COLUMNS] @ w)


def search(rows, start: dict[str, float], rounds: int = 3) -> dict[str, float]:
    """Coordinate ascent on R@10 + 0.5 R@50 (R@10 is the headline; R@50 breaks ties)."""
    best = dict(start)

    def objective(w: dict[str, float]) -> float:
        r10, r50 = weighted_recall(rows, w)
        return r10 + 0.5 * r50

    best_value = objective(best)
    for _ in range(rounds):
        improved = False
        for name, values in GRID.items():
            for value in values:
                trial = {**best, name: value}
                v = objective(trial)
                if v > best_value + 1e-6:
                    best, best_value, improved = trial, v, True
        if not improved:
            break
    return best


def main() -> None:
    from agent.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument(
        "--data",
        type=Path,
        help="folder holding redial/ and iard/ (default: $CONVREC_DATA, else ../shared/data)",
    )
    parser.add_argument("--limit", type=int)
    parser.add_argument("--pool", type=int, default=200)
    args = parser.parse_args()
    settings = Settings.from_env(db=args.db, llm="none", pool=args.pool)
    rows = collect(settings, data_path(args.data, "redial"), args.limit)
    reachable = sum(int(r.hits.sum()) for r in rows) / sum(r.instances for r in rows)
    print(f"{len(rows)} turns; targets inside the candidate pool: {reachable:.3f}")
    current = {s: getattr(RankWeights(), s) for s in TUNED}
    print("current", current, weighted_recall(rows, current))
    best = search(rows, current)
    print("best", best, weighted_recall(rows, best))
    for name in TUNED:  # ablation: what each signal is worth at the tuned point
        print(f"  without {name}:", weighted_recall(rows, {**best, name: 0.0}))


if __name__ == "__main__":
    main()
