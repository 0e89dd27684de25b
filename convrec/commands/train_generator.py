"""`convrec train-generator`: fine-tune the reply generator (SmolLM2-135M-Instruct) on the
recommender side of ReDial valid and IARD non-test dialogues (`finetune/generator/`). The
folder it writes, `<db>/models/generator`, becomes the agent's default writer, and
`convrec serve-llm --db <db>` serves it with vLLM.

    convrec train-generator --db /tmp/gen-db          # CPU: 43 min; on a GPU (auto): 5.4 min
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
    # None: the recipe of the device (finetune/generator/recipe.py) decides
    p.add_argument("--lora-r", type=int, help="LoRA rank, 0: the weights (recipe: GPU 64, CPU 0)")
    p.add_argument(
        "--train-layers", type=int, help="top decoder layers trained, 0: all (GPU 0, CPU 8)"
    )
    p.add_argument("--epochs", type=float, help="passes over the examples (GPU 2, CPU 1)")
    p.add_argument("--batch-size", type=int, help="(GPU 16, CPU 8)")
    p.add_argument("--lr", type=float, help="AdamW learning rate (GPU 2e-4, CPU 1e-4)")
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
    p.add_argument(
        "--device",
        default="auto",
        help="auto (a CUDA GPU when torch sees one, else cpu), cpu, cuda",
    )
    p.add_argument("--limit", type=int, help="train on a random subset of N examples")
    p.add_argument("--no-iard", action="store_true", help="ReDial valid dialogues only")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train_generator)


def run_options(args: argparse.Namespace):
    """The run the flags ask for: each flag left out takes the measured recipe of the device
    it will train on (`finetune/generator/recipe.py`)."""
    from agent.settings import Settings
    from corpora.paths import data_path
    from finetune.generator.recipe import recipe_for
    from finetune.generator.run import GeneratorRun
    from finetune.generator.trainer import TrainArgs, default_bf16, resolve_device

    settings = Settings.from_env(db=args.db)
    recipe = recipe_for(resolve_device(args.device))

    def pick(given, measured):  # a flag given by hand wins over the recipe
        return measured if given is None else given

    return GeneratorRun(
        redial_dir=data_path(args.data, "redial"),
        out=args.out or settings.models_dir / "generator",
        models_dir=settings.models_dir,
        backbone=args.backbone,
        lora_r=pick(args.lora_r, recipe.lora_r),
        iard=not args.no_iard,
        limit=args.limit,
        train=TrainArgs(
            max_length=args.max_length,
            batch_size=pick(args.batch_size, recipe.batch_size),
            learning_rate=pick(args.lr, recipe.learning_rate),
            epochs=pick(args.epochs, recipe.epochs),
            max_steps=args.max_steps,
            train_layers=pick(args.train_layers, recipe.train_layers),
            time_limit=args.time_limit,
            seed=args.seed,
            bf16=default_bf16(args.device) if args.bf16 is None else args.bf16,
            device=args.device,
            progress=not args.quiet,
        ),
    )


def cmd_train_generator(args: argparse.Namespace) -> int:
    from finetune.generator.run import run

    report = run(run_options(args))
    for key in ("method", "device", "examples", "steps", "seconds_per_step", "last_loss"):
        print(f"{key}: {report[key]}")
    print(f"model: {report['out']}")
    return 0
