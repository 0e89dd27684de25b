"""Flags that several commands share, and the agent they describe."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_agent_options(parser: argparse.ArgumentParser) -> None:
    """--db, --llm, --llm-url, --llm-model, --diversity: how the agent is built."""
    parser.add_argument(
        "--db",
        help="data folder with the index and sessions "
        "(default: $CONVREC_HOME or ~/.local/share/convrec)",
    )
    parser.add_argument(
        "--llm",
        choices=["transformers", "openai", "none"],
        help="reply writer: in-process model (default), an OpenAI-compatible "
        "server such as vLLM, or templates only",
    )
    parser.add_argument(
        "--llm-url", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1"
    )
    parser.add_argument("--llm-model", help="model name on that server")
    parser.add_argument(
        "--diversity",
        type=float,
        metavar="LAMBDA",
        help="relevance/diversity trade-off in [0, 1] (MMR; default 0)",
    )
    parser.add_argument(
        "--chroma-url",
        help="a Chroma server (`chroma run`), e.g. http://127.0.0.1:8000, instead of <db>/index "
        "(or CONVREC_CHROMA_URL)",
    )


def add_bind_options(
    parser: argparse.ArgumentParser, port: int, note: str = "0.0.0.0: all"
) -> None:
    """--host (127.0.0.1 unless told otherwise) and --port of a server command."""
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help=f"address to bind (default 127.0.0.1: this machine only; {note})",
    )
    parser.add_argument("--port", type=int, default=port, help=f"port (default {port})")


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """--data: the folder of the public data sets (see `corpora.paths`)."""
    parser.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="folder holding redial/, iard/, goodbooks/ "
        "(default: $CONVREC_DATA, else ../shared/data)",
    )


def settings_from(args: argparse.Namespace):
    """The agent's settings from the agent options (unset ones come from the environment)."""
    from agent.settings import Settings

    return Settings.from_env(
        db=args.db,
        llm=args.llm,
        openai_base_url=args.llm_url,
        openai_model=args.llm_model,
        k=getattr(args, "k", None),
        diversity=getattr(args, "diversity", None),
        chroma_url=getattr(args, "chroma_url", None),
    )


def agent_from(args: argparse.Namespace, **parts):
    """The agent of `--db`; indexes `--catalog` first when the folder has no index yet.
    `parts` go to `build_agent` (e.g. `store=` for a scratch session store)."""
    from agent.build import IndexMissing, build_agent, index_catalog
    from convrec.commands.demo import catalog_source

    settings = settings_from(args)
    try:
        return build_agent(settings, **parts)
    except IndexMissing:
        if not getattr(args, "catalog", None):
            raise
        print(
            f"Indexing {args.catalog} into {settings.index_dir} (first run only)...",
            file=sys.stderr,
        )
        catalog = catalog_source(args.catalog, getattr(args, "data", None))
        load, report = index_catalog(catalog, settings)
        print(f"{load.summary()}\n{report}", file=sys.stderr)
        return build_agent(settings, **parts)
