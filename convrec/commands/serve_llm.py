"""`convrec serve-llm`: vLLM's OpenAI-compatible servers for the generator and the intent head.

    convrec serve-llm --db /tmp/a4db                 # generator :8000, intent head :8001
    CONVREC_LLM=openai CONVREC_OPENAI_BASE_URL=http://127.0.0.1:8000/v1 \\
    CONVREC_OPENAI_MODEL=generator CONVREC_INTENT_URL=http://127.0.0.1:8001/v1 convrec chat
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add `serve-llm` to `sub`."""
    p = sub.add_parser("serve-llm", help="serve the generator and the intent head with vLLM")
    p.add_argument("--db", help="data folder whose models/ holds the two model folders")
    p.add_argument(
        "--generator",
        type=Path,
        help="causal LM folder (default: <db>/models/generator when trained, else SmolLM2-135M)",
    )
    p.add_argument(
        "--intent-head",
        type=Path,
        help="classifier folder (default: <db>/models/intent-head; skipped if absent)",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="generator port")
    p.add_argument("--intent-port", type=int, default=8001, help="intent classifier port")
    p.add_argument("--python", help="interpreter with vllm (default: this one, else .venv-vllm)")
    p.add_argument("--max-model-len", type=int, default=2048)
    p.add_argument("--dtype", default="auto", help="vLLM --dtype (CPU: float32 or bfloat16)")
    p.add_argument(
        "--kv-cache-gb", type=int, default=1, help="CPU KV cache (VLLM_CPU_KVCACHE_SPACE)"
    )
    p.add_argument("--log-dir", type=Path, help="server logs go here (default: <db>/logs)")
    p.set_defaults(func=cmd_serve_llm)


def cmd_serve_llm(args: argparse.Namespace) -> int:
    from agent.llm.local_model import ensure_default_llm
    from agent.settings import Settings
    from convrec.serving.vllm_server import ServerSpec, VLLMServer, serve

    settings = Settings.from_env(db=args.db)
    log_dir = args.log_dir or settings.db / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    common = {"host": args.host, "max_model_len": args.max_model_len, "dtype": args.dtype}
    trained = settings.generator_dir if (settings.generator_dir / "config.json").is_file() else None
    specs = [
        ServerSpec(
            args.generator or trained or ensure_default_llm(settings.models_dir),
            "generator",
            args.port,
            **common,
        )
    ]
    head = args.intent_head or settings.intent_head_dir
    if (head / "config.json").is_file():
        specs.append(
            ServerSpec(head, settings.intent_model, args.intent_port, runner="pooling", **common)
        )
    else:
        print(f"no intent head in {head} (run `convrec train-intent`): serving the generator only")
    servers = [
        VLLMServer(s, args.python, args.kv_cache_gb, log_dir / f"vllm-{s.name}.log") for s in specs
    ]
    return serve(servers)
