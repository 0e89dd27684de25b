"""`convrec train-retriever` and `convrec train-ranker` (registered by finetune/cli.py).

    convrec train-retriever --db /tmp/a3db --exclude-fold 4   # encoder without valid fold 4
    convrec train-ranker --db /tmp/a3db                       # trees; dialogue weight tuned on fold 4
    convrec train-retriever --db /tmp/a3db                    # final encoder on all of valid
"""

from __future__ import annotations

import argparse
from pathlib import Path

from finetune.reranker_cli import _common


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-retriever",
                       help="fine-tune the dialogue encoder on the ReDial valid split")
    _common(p)
    p.add_argument("--epochs", type=float, default=2.0)
    p.add_argument("--max-steps", type=int, help="stop after N optimiser steps (smoke test)")
    p.add_argument("--exclude-fold", type=int, choices=range(5),
                   help="leave this valid fold out (to tune the ranker's weight on it)")
    p.set_defaults(func=cmd_train_retriever)

    p = sub.add_parser("train-ranker",
                       help="fit the learned ranker (gradient-boosted trees) on the ReDial valid split")
    _common(p)
    p.add_argument("--limit", type=int, help="only the first N valid turns (quick runs)")
    p.add_argument("--dialogue-weight", type=float,
                   help="weight of the dialogue encoder's similarity (default: tuned, else 8)")
    p.set_defaults(func=cmd_train_ranker)


def cmd_train_retriever(args: argparse.Namespace) -> int:
    from agent.build import build_dialogue_encoder, build_index
    from agent.settings import Settings
    from finetune.retriever_train import RetrieverArgs, train_retriever, training_pairs
    from retrieval.dialogue_encoder import DIR_NAME

    settings = Settings.from_env(db=args.db, llm="none")
    index = build_index(settings)
    if len(index) == 0:
        raise SystemExit(f"no catalog is indexed in {settings.index_dir}: run `convrec index` first")
    documents = {i: item.document() for i, item in index.items().items()}
    pairs = [(q, t) for q, t in training_pairs(Path(args.data), args.exclude_fold) if t in documents]
    retriever_args = RetrieverArgs(out=settings.models_dir / DIR_NAME,
                                   base=index.embedder.model_path, epochs=args.epochs,
                                   max_steps=args.max_steps, exclude_fold=args.exclude_fold)
    report = train_retriever(pairs, documents, retriever_args, progress=not args.quiet)
    print(f"{report['pairs']} pairs, {report['steps']} steps in {report['seconds']:.0f}s "
          f"(loss {report['final_loss']:.3f}); saved to {retriever_args.out}")
    build_dialogue_encoder(settings, index).sync()  # embeds the catalog once, saved beside it
    print("item vectors saved beside it")
    return 0


def cmd_train_ranker(args: argparse.Namespace) -> int:
    from agent.settings import Settings
    from finetune.ranker_train import train_ranker

    settings = Settings.from_env(db=args.db, llm="none")
    report = train_ranker(settings, Path(args.data), args.limit, progress=not args.quiet,
                          dialogue_weight=args.dialogue_weight)
    for fold, result in report["folds"].items():
        trees, weighted = result["trees"], result["weighted_sum"]
        print(f"valid fold {fold}: trees R@10 {trees[0]:.3f} R@50 {trees[1]:.3f}   "
              f"weighted sum R@10 {weighted[0]:.3f} R@50 {weighted[1]:.3f}   "
              f"targets among the candidates {result['in_candidates']:.3f}")
    if "dialogue_weight_search" in report:
        print("dialogue weight search:", report["dialogue_weight_search"])
    print(f"{report['turns']} valid turns (+{report['extra_turns']} IARD turns to learn from) in "
          f"{report['seconds']:.0f}s; saved to {report['path']}")
    return 0
