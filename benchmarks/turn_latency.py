"""Index build time and per-turn latency on the ReDial catalog, with peak memory.

    .venv/bin/python benchmarks/turn_latency.py --db /tmp/bench-db --out reports/turn_latency.json

Measures, in one run: a cold index build of the whole catalog, an incremental re-run (nothing
changed), an incremental run with 100 changed items, then scripted conversations through
`Agent.reply` with the default in-process model, splitting each turn into understanding,
retrieval, ranking and text generation. "ready" is the time until the recommendations exist,
before any text is generated.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import time
from pathlib import Path

# Conversations of four turns; the first names movies the user loved.
OPENERS = [
    "I loved Alien and Aliens",
    "I really liked The Notebook",
    "Toy Story is my favourite",
    "I want a comedy from the 90s",
    "anything with Tom Hanks?",
    "I loved The Shining",
    "Back to the Future and Jurassic Park are great",
    "I like romantic comedies",
    "something with time travel",
    "The Dark Knight was amazing",
]
FOLLOW_UPS = [
    "something less violent",
    "seen the first one",
    "more like the second one",
    "not the third one",
    "something lighter",
    "I've seen them all",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_index(catalog: str, db: Path) -> dict:
    from agent.build import build_index, index_catalog
    from agent.settings import Settings

    shutil.rmtree(db, ignore_errors=True)
    settings = Settings(db=db)
    load, cold = index_catalog(catalog, settings, progress=True)
    _, again = index_catalog(catalog, settings, progress=False)
    changed = [it.model_copy(update={"text": it.text + " (restored)"}) for it in load.items[:100]]
    partial = build_index(settings).add(changed, progress=False)
    return {
        "items": len(load.items),
        "cold_s": cold.seconds,
        "unchanged_rerun_s": again.seconds,
        "changed_100_s": partial.seconds,
    }


def bench_turns(db: Path, conversations: int, seed: int) -> dict:
    from agent import Settings, build_agent

    agent = build_agent(Settings(db=db))
    started = time.perf_counter()
    agent.warm_up()
    warm = time.perf_counter() - started
    rng = random.Random(seed)
    parts: dict[str, list[float]] = {}
    for n in range(conversations):
        session = f"bench-{n}"
        messages = [OPENERS[n % len(OPENERS)], *rng.sample(FOLLOW_UPS, 3)]
        for message in messages:
            turn = agent.reply(session, message)
            if turn.action != "recommend":
                continue
            timings = dict(turn.timings_ms)
            timings["ready"] = timings["total"] - timings.get("generation", 0.0)
            for key, value in timings.items():
                parts.setdefault(key, []).append(value)
    return {
        "warm_up_s": warm,
        "recommend_turns": len(parts.get("total", [])),
        "ms": {
            k: {"p50": statistics.median(v), "p95": percentile(v, 0.95)} for k, v in parts.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", help="catalog to index (default: the ReDial catalog.json)")
    parser.add_argument(
        "--data",
        type=Path,
        help="folder holding redial/ (default: $CONVREC_DATA, else ../shared/data)",
    )
    parser.add_argument("--db", type=Path, default=Path("/tmp/convrec-bench"))
    parser.add_argument("--skip-build", action="store_true", help="reuse the index in --db")
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("reports/turn_latency.json"))
    args = parser.parse_args()

    if args.catalog is None and not args.skip_build:
        from corpora.paths import data_path

        args.catalog = str(data_path(args.data, "redial", "catalog.json"))
    report: dict = {"catalog": args.catalog}
    if not args.skip_build:
        report["index"] = bench_index(args.catalog, args.db)
    report["turns"] = bench_turns(args.db, args.conversations, args.seed)
    report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
