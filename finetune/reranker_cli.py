"""`convrec build-cooccurrence` and `convrec train-reranker` (registered by finetune/cli.py).

    convrec build-cooccurrence --db /tmp/a3db
    nice -n 10 convrec train-reranker --db /tmp/a3db --max-steps 400   # --max-steps 2: smoke test
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.collaborative import CoOccurrence

DEFAULT_REDIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "redial"


def register(sub: argparse._SubParsersAction) -> None:
    """Add `build-cooccurrence` and `train-reranker` to the top-level commands."""
    p = sub.add_parser("build-cooccurrence",
                       help="count item co-occurrence in the ReDial valid dialogues (and IARD's "
                            "non-test ones) into <db>/models")
    _common(p)
    p.set_defaults(func=cmd_build_cooccurrence)

    p = sub.add_parser("train-reranker", help="train the BERT cross-encoder on the ReDial valid split")
    _common(p)
    p.add_argument("--max-steps", type=int, default=400, help="optimiser steps (2 = smoke test)")
    p.add_argument("--limit", type=int, help="only the first N training turns (quick runs)")
    p.add_argument("--out", help="model folder (default: <db>/models/reranker, used by the agent)")
    p.set_defaults(func=cmd_train_reranker)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="data folder with the ReDial index (default: $CONVREC_HOME)")
    p.add_argument("--data", default=str(DEFAULT_REDIAL), help="folder with the ReDial files")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def build_cooccurrence(settings, redial_dir: Path) -> CoOccurrence:
    """Count co-occurrence on every valid dialogue (and IARD's non-test ReDial dialogues, when
    `iard/` lies beside the ReDial folder) and save it where `build_pipeline` looks."""
    from finetune.iard_redial import learning_dialogues
    from retrieval.collaborative import FILE_NAME, CoOccurrence

    model = CoOccurrence.build(learning_dialogues(redial_dir))
    model.save(settings.models_dir / FILE_NAME)
    return model


def train_reranker(settings, redial_dir: Path, max_steps: int, limit: int | None = None,
                   out: Path | None = None, progress: bool = True):
    """Build hard-negative groups with the current pipeline (no reranker), train, save."""
    import time

    from agent.build import build_index, build_pipeline
    from finetune.reranker_data import build_groups
    from finetune.reranker_train import TrainArgs, train

    started = time.perf_counter()
    pipeline = build_pipeline(settings, build_index(settings))
    pipeline.ranker.reranker = None  # negatives come from the stage the reranker will refine
    groups = build_groups(pipeline, redial_dir, limit=limit, progress=progress)
    built = time.perf_counter() - started
    report = train(groups, TrainArgs(out=out or settings.models_dir / "reranker", max_steps=max_steps),
                   progress=progress)
    return report, built


def cmd_build_cooccurrence(args: argparse.Namespace) -> int:
    from agent.settings import Settings
    from retrieval.collaborative import FILE_NAME

    settings = Settings.from_env(db=args.db, llm="none")
    model = build_cooccurrence(settings, Path(args.data))
    print(f"co-occurrence of {model.dialogues} dialogues (ReDial valid and IARD's non-test ones), "
          f"{len(model.mentions)} movies, saved to {settings.models_dir / FILE_NAME}")
    return 0


def cmd_train_reranker(args: argparse.Namespace) -> int:
    from agent.settings import Settings

    settings = Settings.from_env(db=args.db, llm="none")
    report, built = train_reranker(settings, Path(args.data), args.max_steps, args.limit,
                                   Path(args.out) if args.out else None, progress=not args.quiet)
    print(f"{report.groups} training groups built in {built:.0f}s; {report.steps} steps trained in "
          f"{report.seconds:.0f}s (loss {report.final_loss:.3f}); saved to {report.path}")
    return 0
