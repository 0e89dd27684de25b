"""Retrieval's two halves one after the other vs side by side in two threads, new texts each time.

A turn's retrieval encodes the message and scans the catalog (the index's half) and encodes the
recent dialogue and scans the dialogue encoder's item vectors (the other half); `Retriever`
runs the second in a worker thread (`retrieval._threads.beside`). This runs both ways on the
same ReDial test turns, interleaved (the order alternates by round), with the text caches
emptied before every call so that each call encodes its texts, checks that both ways return the
same candidates, and prints and writes p50 / p95 in ms.

    .venv/bin/python benchmarks/retrieval_halves.py --db ~/redial-db --turns 20 --rounds 4
    .venv/bin/python benchmarks/retrieval_halves.py --db /tmp/catalogscale/embedded-1000000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path


def queries(data: Path | None, turns: int) -> list:
    """Retrieval queries of the first `turns` ReDial test recommendation turns: the last user
    message as text, the last six utterances as the dialogue."""
    from corpora.paths import data_path
    from retrieval.schema import RetrievalQuery

    path = data_path(data, "redial") / "test_rec_turns.jsonl"
    out = []
    with path.open(encoding="utf-8") as rows:
        for line in rows:
            context = json.loads(line)["context"]
            if context:
                out.append(RetrievalQuery(text=context[-1], dialogue=context[-6:], k=10))
            if len(out) == turns:
                break
    return out


def one_after_the_other(retriever, query, pool: int) -> list[str]:
    vector = retriever.query_vector(query)
    retriever.context.memory.search(vector, k=pool, filter=query.filter)
    return retriever._from_dialogue(query, pool)


def side_by_side(retriever, query, pool: int) -> list[str]:
    from retrieval._threads import beside

    other = beside(retriever._from_dialogue, query, pool)
    vector = retriever.query_vector(query)
    retriever.context.memory.search(vector, k=pool, filter=query.filter)
    return other.result()


def forget_texts(context) -> None:
    """Empty both text caches: the next call encodes its texts, as a turn with new words does."""
    context.queries._cache.clear()
    if context.dialogue_encoder is not None:
        context.dialogue_encoder._texts.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", type=Path, required=True, help="a data folder with a dialogue encoder"
    )
    parser.add_argument("--data", type=Path, help="data folder (default: $CONVREC_DATA)")
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("/tmp/retrieval-halves.json"))
    args = parser.parse_args()

    from agent import Settings, build_agent

    agent = build_agent(Settings(db=args.db, llm="none"))
    agent.warm_up()
    retriever = agent.pipeline.retriever
    if retriever.context.dialogue_encoder is None:
        raise SystemExit(f"{args.db} has no dialogue encoder: there is no second half to run")
    pool = agent.pipeline.pool
    ways = {"one_after_the_other": one_after_the_other, "side_by_side": side_by_side}
    ms: dict[str, list[float]] = {name: [] for name in ways}
    for round_ in range(args.rounds):
        order = list(ways) if round_ % 2 == 0 else list(ways)[::-1]
        for query in queries(args.data, args.turns):
            found = {}
            for name in order:
                forget_texts(retriever.context)
                started = time.perf_counter()
                found[name] = ways[name](retriever, query, pool)
                ms[name].append(1000 * (time.perf_counter() - started))
            if found["one_after_the_other"] != found["side_by_side"]:
                raise SystemExit(f"the two ways found different candidates for {query.text!r}")
    report = {
        "db": str(args.db),
        "items": len(agent.pipeline.context.memory.items()),
        "calls": len(ms["side_by_side"]),
        "ms": {
            name: {
                "p50": round(statistics.median(v), 1),
                "p95": round(sorted(v)[int(0.95 * (len(v) - 1))], 1),
            }
            for name, v in ms.items()
        },
    }
    report["ratio_p50"] = round(
        report["ms"]["one_after_the_other"]["p50"] / report["ms"]["side_by_side"]["p50"], 2
    )
    print(json.dumps(report, indent=2))
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"report: {args.out}")


if __name__ == "__main__":
    main()
