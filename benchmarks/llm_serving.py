"""Serving benchmark: turns/s and p50/p95 turn latency of the whole agent with 1, 8 and 32
concurrent simulated sessions, in-process transformers versus vLLM's servers, in one run.

Both backends run the same agent (retrieval, ranking, explanations) with the trained intent
head and the SmolLM2 reply writer; only where the two models run differs:
- transformers: `TransformersModel` + `LocalIntentClassifier` in this process (one forward at a
  time: each holds a lock);
- vllm: `convrec serve-llm`'s two servers (generator, and the head on the pooling runner),
  reached over HTTP through `OpenAICompatibleModel` and `HTTPIntentClassifier`.

    nice -n 10 .venv/bin/python benchmarks/llm_serving.py --db /tmp/a4db \
        --out runs/llm_serving_cpu.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SCRIPT = [
    "I loved Alien and The Terminator, can you recommend some sci-fi?",
    "I've already seen the first one",
    "something a bit lighter please",
    "what is the second one about?",
    "thanks, bye!",
]


def run_sessions(agent, sessions: int, turns: int, tag: str) -> dict:
    """`sessions` concurrent conversations of `turns` turns each; latency per turn."""
    latencies: list[float] = []
    errors: list[str] = []

    def one(i: int) -> None:
        for message in SCRIPT[:turns]:
            started = time.perf_counter()
            turn = agent.reply(f"{tag}-{sessions}-{i}", message)
            latencies.append(time.perf_counter() - started)
            if turn.error:
                errors.append(turn.error)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        list(pool.map(one, range(sessions)))
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "sessions": sessions,
        "turns": len(latencies),
        "seconds": round(seconds, 2),
        "turns_per_s": round(len(latencies) / seconds, 3),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def bench(agent, levels: list[int], turns: int, tag: str) -> list[dict]:
    agent.reply(f"{tag}-warmup", SCRIPT[0])  # load models, compile, fill caches
    results = []
    for sessions in levels:
        results.append(run_sessions(agent, sessions, turns, tag))
        print(tag, json.dumps(results[-1]), flush=True)
    return results


def transformers_agent(db: Path):
    from agent.build import build_agent
    from agent.settings import Settings

    return build_agent(Settings(db=db, llm="transformers", intent="head"))


def vllm_agent(db: Path, base_url: str, intent_url: str):
    from agent.build import build_agent
    from agent.settings import Settings

    return build_agent(
        Settings(
            db=db,
            llm="openai",
            openai_base_url=base_url,
            openai_model="generator",
            intent="head",
            intent_url=intent_url,
            llm_timeout=120.0,
            llm_deadline=120.0,
            intent_deadline=120.0,
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--turns", type=int, default=3, help="turns per session (max 5)")
    parser.add_argument("--backends", nargs="+", default=["transformers", "vllm"])
    parser.add_argument("--port", type=int, default=8200, help="generator; the head gets +1")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--out", type=Path, default=Path("runs/llm_serving.json"))
    args = parser.parse_args(argv)

    from agent.llm.local_model import ensure_default_llm
    from agent.settings import Settings
    from convrec.serving.vllm_server import ServerSpec, VLLMServer

    settings = Settings(db=args.db)
    report = {
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": __import__("os").cpu_count(),
            "gpu": _gpu(),
        },
        "turns_per_session": args.turns,
        "script": SCRIPT[: args.turns],
        "backends": {},
    }
    if "transformers" in args.backends:
        report["backends"]["transformers"] = bench(
            transformers_agent(args.db), args.sessions, args.turns, "transformers"
        )
    if "vllm" in args.backends:
        logs = args.out.parent
        logs.mkdir(parents=True, exist_ok=True)
        generator = ServerSpec(
            ensure_default_llm(settings.models_dir), "generator", args.port, dtype=args.dtype
        )
        head = ServerSpec(
            settings.intent_head_dir,
            "intent",
            args.port + 1,
            runner="pooling",
            max_model_len=512,
            dtype=args.dtype,
        )
        with (
            VLLMServer(generator, log_path=logs / "vllm-generator.log") as gen_server,
            VLLMServer(head, log_path=logs / "vllm-intent.log") as head_server,
        ):
            agent = vllm_agent(args.db, gen_server.spec.base_url, head_server.spec.base_url)
            report["backends"]["vllm"] = bench(agent, args.sessions, args.turns, "vllm")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.out}")
    return 0


def _gpu() -> str | None:
    import torch

    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


if __name__ == "__main__":
    raise SystemExit(main())
