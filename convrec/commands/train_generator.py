"""`convrec train-generator`: fine-tune the reply generator (SmolLM2-135M-Instruct) on the
recommender side of ReDial valid and IARD non-test dialogues (`finetune/generator/`). The
folder it writes, `<db>/models/generator`, becomes the agent's default writer, and
`convrec serve-llm --db <db>` serves it with vLLM.

    nice -n 10 convrec train-generator --db /tmp/gen-db --max-steps 300   # CPU: ~40 min
    convrec train-generator --db /tmp/gen-db --max-steps 3 --limit 64      # smoke
"""

from __future__ import annotations

import argparse
from pathlib import Path

from convrec.commands.options import add_data_option


def register(sub: argparse._SubParsersAction) -> None:
    """Add `train-generator` to `sub`."""
    p = sub.add_parser("train-generator", help="fine-tune the reply generator on real dialogues")
    p.add_argument("--db", help="data folder; the model goes to <db>/models/generator")
    add_data_option(p)
    p.add_argument("--backbone", type=Path, help="causal LM folder (default: SmolLM2-135M)")
    p.add_argument("--out", type=Path, help="export folder (default <db>/models/generator)")
    p.add_argument("--lora-r", type=int, default=0, help="LoRA rank (0: full fine-tune)")
    p.add_argument(
        "--train-layers", type=int, default=8, help="top decoder layers trained (0: all)"
    )
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-4, help="AdamW learning rate (measured: 1e-4)")
    p.add_argument("--max-length", type=int, default=320, help="prompt + reply tokens")
    p.add_argument("--max-steps", type=int, help="stop after N optimiser steps (smoke switch)")
    p.add_argument("--time-limit", type=float, help="minutes; stop and save when spent")
    p.add_argument(
        "--seed", type=int, default=0, help="data order (another seed for a continued run)"
    )
    p.add_argument(
        "--bf16",
        action=argparse.BooleanOptionalAction,
        help="bfloat16 autocast, weights and optimiser in float32 (default: on where the CPU has "
        "native bfloat16, AVX512-BF16 or AMX; 1.65x faster per step there)",
    )
    p.add_argument("--limit", type=int, help="train on a random subset of N examples")
    p.add_argument("--no-iard", action="store_true", help="ReDial valid dialogues only")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train_generator)


def cmd_train_generator(args: argparse.Namespace) -> int:
    from agent.settings import Settings
    from corpora.paths import data_path
    from finetune.generator.run import GeneratorRun, run
    from finetune.generator.trainer import TrainArgs
    from retrieval.cpu_bf16 import native_bf16

    settings = Settings.from_env(db=args.db)
    options = GeneratorRun(
        redial_dir=data_path(args.data, "redial"),
        out=args.out or settings.models_dir / "generator",
        models_dir=settings.models_dir,
        backbone=args.backbone,
        lora_r=args.lora_r,
        iard=not args.no_iard,
        limit=args.limit,
        train=TrainArgs(
            max_length=args.max_length,
            batch_size=args.batch_size,
            learning_rate=args.lr,
            epochs=args.epochs,
            max_steps=args.max_steps,
            train_layers=args.train_layers,
            time_limit=args.time_limit,
            seed=args.seed,
            # emulated bfloat16 is slower than float32: only where the CPU computes it natively
            bf16=native_bf16() if args.bf16 is None else args.bf16,
            progress=not args.quiet,
        ),
    )
    report = run(options)
    for key in ("method", "examples", "steps", "seconds_per_step", "first_loss", "last_loss"):
        print(f"{key}: {report[key]}")
    print(f"model: {report['out']}")
    return 0
