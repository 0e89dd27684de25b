"""Tune `RankWeights` on the ReDial VALID split (never test), with held-out co-occurrence folds.

    nice -n 10 .venv/bin/python benchmarks/tune_weights.py --db /tmp/a3db [--limit 800]

Candidates and their signals are computed once per turn through the agent's own retriever and
ranker; a coordinate search over the weights then re-scores them in numpy. Prints the best
weights and their Recall@10/50 (dedup). Put the result in `retrieval/ranker.py::RankWeights`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

SIGNALS = ("similarity", "collaborative", "popularity", "genre", "people", "seed_similarity",
           "seed_genre", "era")
EXTRA = ("suggested",)  # candidate signals being explored, not (yet) in the ranker
GRID = {
    "similarity": [0.0, 0.1, 0.2, 0.3, 0.5, 1.0],
    "collaborative": [0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 2.0, 4.0],
    "popularity": [0.0, 0.1, 0.2, 0.3, 0.5, 0.8],
    "genre": [0.0, 0.05, 0.1, 0.15, 0.2, 0.3],
    "people": [0.0, 0.1, 0.2, 0.3, 0.5],
    "seed_similarity": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5],
    "seed_genre": [0.0, 0.05, 0.1, 0.15, 0.2],
    "era": [0.0, 0.02, 0.05, 0.1, 0.15],
    "suggested": [0.0, 0.1, 0.2, 0.3, 0.5, 0.8],
}


def collect(db: Path, redial_dir: Path, limit: int | None, pool: int, split: str = "valid"):
    """Per turn: (signals (n, 5), target mask (n,), number of instances)."""
    from agent.build import build_index, build_pipeline
    from agent.settings import Settings
    from eval import redial
    from eval.redial_query import ContextReader

    settings = Settings.from_env(db=db, llm="none")
    index = build_index(settings)
    pipeline = build_pipeline(settings, index)
    pipeline.pool = pool
    turns = redial.load_turns(redial_dir, split, "dedup", limit)
    queries = redial.build_queries(ContextReader(list(index.items().values())), turns)
    pipeline.prime(queries)
    models = redial.collaborative_models(redial_dir, split)
    rows = []
    for turn, query in zip(turns, queries, strict=True):
        model = models[redial.fold_of(turn.dialogue_id, len(models))]
        pipeline.use_collaborative(model)
        candidates = pipeline.retriever.retrieve(query, pool=pipeline.pool)
        signals = pipeline.ranker.signals(query, candidates)
        scale = np.log1p(max(model.suggested.values()))
        extra = [[np.log1p(model.suggested.get(c.item.id, 0.0)) / scale] for c in candidates]
        matrix = np.array([[s[name] for name in SIGNALS] + e for s, e in zip(signals, extra)],
                          dtype="float32")
        targets = set(redial.instances(turn, "dedup"))
        mask = np.array([c.item.id in targets for c in candidates])
        rows.append((matrix, mask, len(targets)))
        CACHE.append({"ids": [c.item.id for c in candidates], "seeds": list(query.positive_ids),
                      "dialogue": turn.dialogue_id, "text": query.text,
                      "mentioned": list(turn.mentioned), "context": turn.context,
                      "fold": redial.fold_of(turn.dialogue_id, len(models)), "targets": targets})
    return rows


CACHE: list[dict] = []  # per turn: candidate ids, seeds, fold, targets (for offline feature trials)


def recall(rows, weights: np.ndarray) -> tuple[float, float]:
    hits10 = hits50 = total = 0
    for matrix, mask, n in rows:
        total += n
        if not mask.any():
            continue
        scores = matrix @ weights
        order = np.argsort(-scores, kind="stable")
        rank_of_hits = np.nonzero(mask[order])[0]
        hits10 += int((rank_of_hits < 10).sum())
        hits50 += int((rank_of_hits < 50).sum())
    return hits10 / total, hits50 / total


def search(rows, start: dict[str, float], rounds: int = 3) -> dict[str, float]:
    """Coordinate ascent on R@10 + 0.5 R@50 (R@10 is the headline; R@50 breaks ties)."""
    best = dict(start)

    def objective(w: dict[str, float]) -> float:
        r10, r50 = recall(rows, np.array([w[s] for s in SIGNALS + EXTRA], dtype="float32"))
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/redial"))
    parser.add_argument("--limit", type=int)
    parser.add_argument("--pool", type=int, default=100)
    parser.add_argument("--split", default="valid", help="test only to dump features for a final check")
    parser.add_argument("--dump", help="pickle the collected signals here for offline trials")
    args = parser.parse_args()
    rows = collect(Path(args.db), Path(args.data), args.limit, args.pool, args.split)
    if args.dump:
        import pickle

        Path(args.dump).write_bytes(pickle.dumps({"rows": rows, "turns": CACHE}))
    reachable = sum(int(m.sum()) for _, m, _ in rows) / sum(n for _, _, n in rows)
    print(f"{len(rows)} turns; targets inside the candidate pool: {reachable:.3f}")
    from retrieval.ranker import RankWeights

    current = {s: getattr(RankWeights(), s) for s in SIGNALS} | {e: 0.0 for e in EXTRA}
    print("current", current, recall(rows, np.array([current[s] for s in SIGNALS + EXTRA], dtype="float32")))
    if args.split != "valid":
        return  # never tune on test
    best = search(rows, current)
    print("best", best, recall(rows, np.array([best[s] for s in SIGNALS + EXTRA], dtype="float32")))
    for name in SIGNALS + EXTRA:  # ablation: what each signal is worth at the tuned point
        print(f"  without {name}:", recall(rows, np.array(
            [0.0 if s == name else best[s] for s in SIGNALS + EXTRA], dtype="float32")))


if __name__ == "__main__":
    main()
