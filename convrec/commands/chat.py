"""`convrec index`, `convrec chat` and `convrec ask`: the catalog and the agent in a terminal.

convrec index --catalog ../shared/data/redial/catalog.json --db ~/redial-db
convrec chat --db ~/redial-db
convrec chat --demo books
convrec ask --session alice --message "something lighter" --json
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid

from convrec.commands.demo import add_demo_options, apply_demo, catalog_source
from convrec.commands.options import add_agent_options, add_data_option, agent_from, settings_from


def register(sub: argparse._SubParsersAction) -> None:
    """Add `index`, `chat` and `ask` to the top-level commands."""
    p = sub.add_parser("index", help="index a catalog (incremental), or delete items")
    add_agent_options(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--catalog",
        help="movielens-100k, a ReDial catalog.json, a goodbooks-10k folder (or goodbooks: "
        "the one in the data folder), or your .jsonl/.csv file",
    )
    add_data_option(p)
    what.add_argument("--delete", nargs="+", metavar="ID", help="remove these item ids")
    p.add_argument(
        "--prune",
        action="store_true",
        help="with --catalog: also remove the indexed items that are not in it",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("chat", help="chat in the terminal")
    add_agent_options(p)
    p.add_argument("--session", help="resume this session id")
    p.add_argument(
        "--catalog",
        default="movielens-100k",
        help="catalog to index if the folder has none yet (default: the demo)",
    )
    p.add_argument("--k", type=int, help="recommendations per turn")
    add_demo_options(p)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("ask", help="one turn, for scripts")
    add_agent_options(p)
    p.add_argument("--session", required=True)
    p.add_argument("--message", required=True)
    p.add_argument("--json", action="store_true", help="print the whole turn as JSON")
    p.add_argument("--catalog", help="catalog to index if the folder has none yet")
    p.add_argument("--k", type=int, help="recommendations per turn")
    p.set_defaults(func=cmd_ask)


def cmd_index(args: argparse.Namespace) -> int:
    from agent.build import build_index, index_catalog

    settings = settings_from(args)
    if args.delete:
        if args.prune:
            raise ValueError("--prune goes with --catalog, not --delete")
        deleted = build_index(settings).delete(args.delete)
        unknown = sorted(set(args.delete) - set(deleted))
        print(
            f"index {settings.index_location}: deleted {len(deleted)}"
            + (f"; not in the index: {', '.join(unknown)}" if unknown else "")
        )
        return 0
    catalog = catalog_source(args.catalog, args.data)
    load, report = index_catalog(catalog, settings, progress=not args.quiet, prune=args.prune)
    print(load.summary())
    print(f"index {settings.index_location}: {report}")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from agent import InvalidMessage
    from agent.policy import QUESTIONS

    apply_demo(args)
    agent = agent_from(args)
    session = args.session or uuid.uuid4().hex[:8]
    print(f"convrec chat (session {session}). Tell me what you like; Ctrl-D or 'quit' to leave.")
    profile = agent.profile
    print("agent> " + QUESTIONS["start"].format(noun=profile.noun, plural=profile.plural))
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

    agent = agent_from(args)
    try:
        turn = agent.reply(args.session, args.message)
    except InvalidMessage as exc:
        print(json.dumps({"error": str(exc)}) if args.json else f"error: {exc}")
        return 2
    print(turn.model_dump_json(indent=2) if args.json else turn.reply)
    return 0
