"""`convrec` command line. Each sub-command parses arguments and calls one plain function."""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models are local; never wait on a hub
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _settings(args: argparse.Namespace):
    from agent.settings import Settings

    return Settings.from_env(
        db=args.db, llm=args.llm, openai_base_url=args.llm_url, openai_model=args.llm_model,
        k=getattr(args, "k", None), diversity=getattr(args, "diversity", None),
    )


def cmd_index(args: argparse.Namespace) -> int:
    from agent.build import index_catalog

    load, report = index_catalog(args.catalog, _settings(args), progress=not args.quiet)
    print(load.summary())
    print(f"index {_settings(args).index_dir}: {report}")
    return 0


def _agent(args: argparse.Namespace):
    from agent.build import IndexMissing, build_agent, index_catalog

    settings = _settings(args)
    try:
        return build_agent(settings)
    except IndexMissing:
        if not args.catalog:
            raise
        print(f"Indexing {args.catalog} into {settings.index_dir} (first run only)...", file=sys.stderr)
        load, report = index_catalog(args.catalog, settings)
        print(f"{load.summary()}\n{report}", file=sys.stderr)
        return build_agent(settings)


def cmd_chat(args: argparse.Namespace) -> int:
    from agent import InvalidMessage

    agent = _agent(args)
    session = args.session or uuid.uuid4().hex[:8]
    print(f"convrec chat (session {session}). Tell me what you like; Ctrl-D or 'quit' to leave.")
    print("agent> What kind of movies do you enjoy? Naming a movie you loved helps me most.")
    while True:
        try:
            message = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if message.strip().lower() in ("quit", "exit"):
            return 0
        try:
            turn = agent.reply(session, message)
        except InvalidMessage as exc:
            print(f"agent> ({exc})")
            continue
        print(f"agent> {turn.reply}")
        if turn.error:
            print(f"       (note: {turn.error})", file=sys.stderr)


def cmd_ask(args: argparse.Namespace) -> int:
    from agent import InvalidMessage

    agent = _agent(args)
    try:
        turn = agent.reply(args.session, args.message)
    except InvalidMessage as exc:
        print(json.dumps({"error": str(exc)}) if args.json else f"error: {exc}")
        return 2
    print(turn.model_dump_json(indent=2) if args.json else turn.reply)
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="data folder with the index and sessions "
                        "(default: $CONVREC_HOME or ~/.local/share/convrec)")
    parser.add_argument("--llm", choices=["transformers", "openai", "none"],
                        help="reply writer: in-process model (default), an OpenAI-compatible "
                        "server such as vLLM, or templates only")
    parser.add_argument("--llm-url", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--llm-model", help="model name on that server")
    parser.add_argument("--diversity", type=float, metavar="LAMBDA",
                        help="relevance/diversity trade-off in [0, 1] (MMR; default 0)")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="convrec", description="Conversational recommender.")
    sub = root.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="index a catalog (incremental)")
    _common(p)
    p.add_argument("--catalog", required=True, help="movielens-100k, a ReDial catalog.json, "
                   "or your .jsonl/.csv file")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("chat", help="chat in the terminal")
    _common(p)
    p.add_argument("--session", help="resume this session id")
    p.add_argument("--catalog", default="movielens-100k",
                   help="catalog to index if the folder has none yet (default: the demo)")
    p.add_argument("--k", type=int, help="recommendations per turn")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("ask", help="one turn, for scripts")
    _common(p)
    p.add_argument("--session", required=True)
    p.add_argument("--message", required=True)
    p.add_argument("--json", action="store_true", help="print the whole turn as JSON")
    p.add_argument("--catalog", help="catalog to index if the folder has none yet")
    p.add_argument("--k", type=int, help="recommendations per turn")
    p.set_defaults(func=cmd_ask)

    # Sub-commands owned by the other packages; their modules import nothing heavy at the top.
    from eval.cli import register as register_eval
    from finetune.cli import register as register_finetune
    from ui.cli import register as register_ui

    from agent.llm.serve_cli import register as register_serve

    for register in (register_eval, register_finetune, register_ui, register_serve):
        register(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError, ModuleNotFoundError, RuntimeError) as exc:
        print(f"convrec: error: {exc}", file=sys.stderr)
        return 1
