"""`convrec train-reranker`, `train-retriever`, `train-ranker` and `train-intent` (registered by convrec/cli.py)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from finetune.intent_cli import register as register_intent
    from finetune.reranker_cli import register as register_reranker
    from finetune.retrieval_cli import register as register_retrieval

    register_reranker(sub)
    register_retrieval(sub)
    register_intent(sub)
