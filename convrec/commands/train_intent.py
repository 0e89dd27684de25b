"""`convrec train-intent`: fine-tune the intent head, evaluate it on held-out IARD gold
dialogues against the zero-shot and MiniLM + logistic-regression baselines, and compare slot
extraction by the generative model with catalog matching (`finetune/intent/run.py`).

    nice -n 10 convrec train-intent --db /tmp/a4db --out /tmp/a4db/models/intent-head \
        --report runs/intent/report.json              # full run (see finetune/README.md)
    convrec train-intent --db /tmp/a4db --max-steps 2 --limit 32 --skip-baselines  # smoke
"""

from __future__ import annotations

import argparse
from pathlib import Path

from convrec.commands.options import add_data_option


def register(sub: argparse._SubParsersAction) -> None:
    """Add `train-intent` to `sub`."""
    p = sub.add_parser("train-intent", help="fine-tune the intent head (LoRA) and evaluate it")
    p.add_argument("--db", help="data folder; the model goes to <db>/models/intent-head")
    add_data_option(p)
    p.add_argument("--backbone", type=Path, help="causal LM folder (default: SmolLM2-135M)")
    p.add_argument(
        "--gold", type=Path, help="IARD gold file (default: iard/iard_gold.json of the data folder)"
    )
    p.add_argument(
        "--partial",
        type=Path,
        help="IARD partial file (default: iard/iard_partial.json of the data folder)",
    )
    p.add_argument("--out", type=Path, help="export folder (default <db>/models/intent-head)")
    p.add_argument("--report", type=Path, help="write the evaluation JSON here")
    p.add_argument("--test-dialogues", type=int, default=30, help="held-out gold dialogues")
    p.add_argument("--layers", type=int, default=20, help="decoder layers kept (0: all)")
    p.add_argument("--epochs", type=float, default=2.0)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--lora-r", type=int, default=16)
    p.add_argument("--max-steps", type=int, help="smoke switch: stop after N steps")
    p.add_argument("--limit", type=int, help="use only the first N training and test turns")
    p.add_argument("--skip-train", action="store_true", help="evaluate the model in --out")
    p.add_argument("--skip-baselines", action="store_true")
    p.add_argument("--skip-zero-shot", action="store_true", help="only the MiniLM baseline")
    p.add_argument(
        "--slots",
        type=int,
        default=0,
        help="compare slot extraction on N held-out turns with gold slots (0: skip)",
    )
    p.add_argument("--slots-llm", type=int, help="of those, the first N also by the LLM")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_train_intent)


def cmd_train_intent(args: argparse.Namespace) -> int:
    from agent.settings import Settings
    from corpora.paths import data_path
    from finetune.intent.run import IntentRun, report_table, run, save_report

    settings = Settings.from_env(db=args.db)
    out = args.out or settings.models_dir / "intent-head"
    options = IntentRun(
        gold=args.gold or data_path(args.data, "iard", "iard_gold.json"),
        partial=args.partial or data_path(args.data, "iard", "iard_partial.json"),
        out=out,
        settings=settings,
        backbone=args.backbone,
        test_dialogues=args.test_dialogues,
        layers=args.layers or None,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        lora_r=args.lora_r,
        max_steps=args.max_steps,
        limit=args.limit,
        train=not args.skip_train,
        baselines=not args.skip_baselines,
        slots=args.slots,
        zero_shot=not args.skip_zero_shot,
        slots_llm=args.slots_llm,
        progress=not args.quiet,
        on_update=lambda partial: save_report(args.report, partial),
    )
    report = run(options)
    save_report(args.report, report)
    print(report_table(report))
    print(f"model: {out}" + (f"\nreport: {args.report}" if args.report else ""))
    return 0
