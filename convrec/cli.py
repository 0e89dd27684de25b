"""`convrec` command line: builds the parser from `convrec.commands` and dispatches.

Each sub-command parses its arguments and calls one plain function of the packages.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models are local; never wait on a hub
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def parser() -> argparse.ArgumentParser:
    from convrec.commands import (
        chat,
        cooccurrence,
        evaluate,
        serve,
        serve_llm,
        sessions,
        train,
        train_generator,
        train_intent,
        ui,
    )

    root = argparse.ArgumentParser(prog="convrec", description="Conversational recommender.")
    sub = root.add_subparsers(dest="command", required=True)
    for group in (
        chat,
        evaluate,
        cooccurrence,
        train,
        train_intent,
        train_generator,
        ui,
        serve,
        serve_llm,
        sessions,
    ):
        group.register(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError, ModuleNotFoundError, RuntimeError) as exc:
        print(f"convrec: error: {exc}", file=sys.stderr)
        return 1
