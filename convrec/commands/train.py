"""`convrec train-reranker`, `train-retriever` and `train-ranker`: the learned parts of the
ranking, trained on the ReDial valid split (never test).

    convrec train-retriever --db /tmp/a3db --exclude-fold 4   # encoder without valid fold 4
    convrec train-ranker --db /tmp/a3db                       # trees; weight tuned on fold 4
    convrec train-retriever --db /tmp/a3db                    # final encoder on all of valid
    nice -n 10 convrec train-reranker --db /tmp/a3db --max-steps 400   # --max-steps 2: smoke test
"""

from __future__ import annotations

import argparse
from pathlib import Path

from convrec.commands.options import add_data_option


def register(sub: argparse._SubParsersAction) -> None:
    """Add `train-reranker`, `train-retriever` and `train-ranker` to the top-level commands."""
    p = sub.add_parser(
        "train-reranker", help="train the BERT cross-encoder on the ReDial valid split"
    )
    _common(p)
    p.add_argument("--max-steps", type=int, default=400, help="optimiser steps (2 = smoke test)")
    p.add_argument("--limit", type=int, help="only the first N training turns (quick runs)")
    p.add_argument("--out", help="model folder (default: <db>/models/reranker, used by the agent)")
    p.set_defaults(func=cmd_train_reranker)

    p = sub.add_parser(
        "train-retriever", help="fine-tune the dialogue encoder on the ReDial valid split"
    )
    _common(p)
    p.add_argument("--epochs", type=float, default=2.0)
    p.add_argument("--max-steps", type=int, help="stop after N optimiser steps (smoke test)")
    p.add_argument(
        "--exclude-fold",
        type=int,
        choices=range(5),
        help="leave this valid fold out (to tune the ranker's weight on it)",
    )
    p.set_defaults(func=cmd_train_retriever)

    p = sub.add_parser(
        "train-ranker",
        help="fit the learned ranker (gradient-boosted trees) on the ReDial valid split",
    )
    _common(p)
    p.add_argument("--limit", type=int, help="only the first N valid turns (quick runs)")
    p.add_argument(
        "--dialogue-weight",
        type=float,
        help="weight of the dialogue encoder's similarity (default: tuned, else 8)",
    )
    p.set_defaults(func=cmd_train_ranker)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="data folder with the ReDial index (default: $CONVREC_HOME)")
    add_data_option(p)
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def cmd_train_reranker(args: argparse.Namespace) -> int:
    from agent.settings import Settings
    from corpora.paths import data_path
    from finetune.reranker_train import train_reranker

    settings = Settings.from_env(db=args.db, llm="none")
    report, built = train_reranker(
        settings,
        data_path(args.data, "redial"),
        args.max_steps,
        args.limit,
        Path(args.out) if args.out else None,
        progress=not args.quiet,
    )
    print(
        f"{report.groups} training groups built in {built:.0f}s; {report.steps} steps trained in "
        f"{report.seconds:.0f}s (loss {report.final_loss:.3f}); saved to {report.path}"
    )
    return 0


def cmd_train_retriever(args: argparse.Namespace) -> int:
    from agent.settings import Settings
    from corpora.paths import data_path
    from finetune.retriever_train import train_dialogue_encoder

    settings = Settings.from_env(db=args.db, llm="none")
    report = train_dialogue_encoder(
        settings,
        data_path(args.data, "redial"),
        args.epochs,
        args.max_steps,
        args.exclude_fold,
        progress=not args.quiet,
    )
    print(
        f"{report['pairs']} pairs, {report['steps']} steps in {report['seconds']:.0f}s "
        f"(loss {report['final_loss']:.3f}); saved to {report['path']}"
    )
    print("item vectors saved beside it")
    return 0


def cmd_train_ranker(args: argparse.Namespace) -> int:
    from agent.settings import Settings
    from corpora.paths import data_path
    from finetune.ranker_train import train_ranker

    settings = Settings.from_env(db=args.db, llm="none")
    report = train_ranker(
        settings,
        data_path(args.data, "redial"),
        args.limit,
        progress=not args.quiet,
        dialogue_weight=args.dialogue_weight,
    )
    for fold, result in report["folds"].items():
        trees, weighted = result["trees"], result["weighted_sum"]
        print(
            f"valid fold {fold}: trees R@10 {trees[0]:.3f} R@50 {trees[1]:.3f}   "
            f"weighted sum R@10 {weighted[0]:.3f} R@50 {weighted[1]:.3f}   "
            f"targets among the candidates {result['in_candidates']:.3f}"
        )
    if "dialogue_weight_search" in report:
        print("dialogue weight search:", report["dialogue_weight_search"])
    print(
        f"{report['turns']} valid turns (+{report['extra_turns']} IARD turns to learn from) in "
        f"{report['seconds']:.0f}s; saved to {report['path']}"
    )
    return 0
