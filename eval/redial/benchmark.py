"""Runs the ReDial benchmark for the full system and its baselines, and writes the report.

    convrec eval redial --db /tmp/a3db --split test --protocol dedup --out reports/test-dedup.json

Configurations, all through `RecommendationPipeline.recommend` with the same queries:
- `popularity`: mention counts on the valid split (the collaborative model's prior) only;
- `embedding`: cosine to the query vector (words + named items), no collaborative signal;
- `system`: the agent's pipeline as `agent.build.build_pipeline` composes it from the settings;
- `system-no-reranker`: the same without the cross-encoder, when one is trained.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields
from pathlib import Path

from corpora.folds import FOLDS, collaborative_models, fold_of
from corpora.redial import load_turns
from eval.redial import scoring
from eval.redial.scoring import ConfigResult


@dataclass
class BenchmarkArgs:
    redial_dir: Path
    split: str = "test"
    protocol: str = "dedup"
    limit: int | None = None
    out: Path | None = None
    diversity: float = 0.0  # MMR lambda of the system configuration
    lambdas: list[float] | None = None  # also sweep these MMR lambdas for the trade-off plot
    baselines: bool = True
    progress: bool = True
    fold: int | None = None  # only valid dialogues of this fold (4: the reranker's held-out fold)


def run_benchmark(settings, args: BenchmarkArgs) -> dict:
    """Evaluate every configuration on one split/protocol; save JSON (+ PNG plots) if `out`."""
    from agent.build import IndexMissing, build_context, build_index, build_pipeline
    from agent.context_reader import ContextReader

    started, cpu_started = time.perf_counter(), time.process_time()
    index = build_index(settings)
    if len(index) == 0:
        raise IndexMissing(
            f"no catalog is indexed in {settings.index_location}: run `convrec index` first"
        )
    items = index.items()
    turns = load_turns(args.redial_dir, args.split, args.protocol)
    if args.fold is not None:
        turns = [t for t in turns if fold_of(t.dialogue_id, FOLDS) == args.fold]
    turns = turns[: args.limit] if args.limit else turns
    queries, read_s = scoring.timed(
        scoring.build_queries, ContextReader(list(items.values())), turns
    )
    collaborative = collaborative_models(args.redial_dir, args.split)
    # the popularity baseline (and novelty) count the valid split only, as published ones do
    valid_only = collaborative_models(args.redial_dir, args.split, iard=False)
    system = build_pipeline(settings, build_context(settings, index))
    system.prime(queries)  # the query vectors are shared by every configuration's context
    configs = _configs(system, collaborative, valid_only, args)
    results = []
    for name, pipeline, collab, lam in configs:
        qs = [q.model_copy(update={"diversity": lam}) for q in queries]
        label = name if name != "system" or lam == args.diversity else f"system λ={lam:g}"
        rankings, seconds = scoring.timed(
            scoring.run,
            pipeline,
            turns,
            qs,
            args.protocol,
            collab,
            progress=label if args.progress else None,
        )
        results.append(_score(label, rankings, system, valid_only, items, seconds))
        results[-1].diversity = lam
        _print(results[-1])
    out = scoring.report(
        args.split,
        args.protocol,
        results,
        time.perf_counter() - started,
        query_seconds=round(read_s, 1),
        limit=args.limit,
        reranker=str(system.ranker.reranker.model_path) if system.ranker.reranker else None,
        collaborative_folds=len(collaborative),
        never_mentioned=round(scoring.never_mentioned(turns, args.protocol, collaborative), 4),
        # CPU seconds of all threads: comparable across runs even when the machine is shared
        cpu_seconds=round(time.process_time() - cpu_started, 1),
    )
    print(f"targets no learning dialogue mentions: {out['never_mentioned']:.3f}")
    if args.out:
        _save(out, results, args)
    return out


def _configs(system, collaborative, valid_only, args: BenchmarkArgs) -> list[tuple]:
    from retrieval.pipeline import RecommendationPipeline
    from retrieval.ranker import Ranker, RankWeights

    bare_context = system.context.without_learned()  # same catalog and vectors, no trained model

    def plain(weights: RankWeights) -> RecommendationPipeline:
        return RecommendationPipeline(Ranker(bare_context, weights=weights), system.pool)

    zero = {f.name: 0.0 for f in fields(RankWeights)}
    configs: list[tuple] = []
    if args.baselines:
        configs.append(
            ("popularity", plain(RankWeights(**{**zero, "popularity": 1.0})), valid_only, 0.0)
        )
        configs.append(("embedding", plain(RankWeights(**{**zero, "similarity": 1.0})), None, 0.0))
    if system.ranker.reranker is not None:
        configs.append(
            ("system-no-reranker", plain(system.ranker.weights), collaborative, args.diversity)
        )
    if system.ranker.learned is not None or system.context.dialogue_encoder is not None:
        # what the learned parts add: the same signals, weighted sum, no dialogue encoder
        configs.append(
            ("weighted-sum", plain(system.ranker.weights), collaborative, args.diversity)
        )
    configs.append(("system", system, collaborative, args.diversity))
    for lam in args.lambdas or []:
        if lam != args.diversity:
            configs.append(("system", system, collaborative, lam))
    return configs


def _score(label, rankings, system, collaborative, items, seconds) -> ConfigResult:
    popularity = (
        next(iter(collaborative.values())).mentions
        if len(collaborative) == 1
        else {
            i: sum(m.mentions.get(i, 0.0) for m in collaborative.values())
            / (len(collaborative) - 1)
            for i in items
        }
    )
    return scoring.score(
        label, rankings, system.context.memory.vectors, popularity, list(items), seconds
    )


def _print(r: ConfigResult) -> None:
    print(
        f"{r.name:<24} R@1 {r.recall_at_1:.3f}  R@10 {r.recall_at_10:.3f}  R@50 {r.recall_at_50:.3f}"
        f"  NDCG@10 {r.ndcg_at_10:.3f}  MRR {r.mrr:.3f}  cov {r.coverage_at_10:.3f}"
        f"  ILD@10 {r.ild_at_10:.3f}  nov@10 {r.novelty_at_10:.2f}  n={r.instances}"
        f"  {r.seconds:.0f}s",
        flush=True,
    )


def _save(out: dict, results: list[ConfigResult], args: BenchmarkArgs) -> None:
    from eval.redial.plots import plot_configs, plot_tradeoff

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    title = f"ReDial {args.split} / {args.protocol} ({results[0].instances} instances)"
    plot_configs([r for r in results if "λ=" not in r.name], args.out.with_suffix(".png"), title)
    sweep = [r for r in results if r.name.startswith("system") and "no-reranker" not in r.name]
    if args.lambdas:
        plot_tradeoff(sweep, args.out.with_name(args.out.stem + "-lambda.png"), title)
