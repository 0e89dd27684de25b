"""`convrec sessions`: look after the saved conversations (`<db>/sessions.sqlite3`, or the
PostgreSQL database of `CONVREC_SESSIONS` / `--sessions`).

convrec sessions check --db ~/redial-db           # exit 1 when the file is damaged
convrec sessions prune --older-than 30 --db ~/redial-db
convrec sessions delete SESSION_ID --db ~/redial-db
CONVREC_SESSIONS=postgresql://convrec@db-host/convrec convrec sessions check
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add `sessions check|prune|delete` to the top-level commands."""
    group = sub.add_parser("sessions", help="check, prune or delete saved conversations")
    actions = group.add_subparsers(dest="action", required=True)

    p = actions.add_parser(
        "check",
        help="run SQLite's integrity check on the sessions file, or check that the PostgreSQL "
        "database answers and holds the tables (exit code 1 when not)",
    )
    _add_db(p)
    p.set_defaults(func=cmd_check)

    p = actions.add_parser("prune", help="delete the sessions untouched for DAYS days")
    _add_db(p)
    p.add_argument("--older-than", type=float, required=True, metavar="DAYS")
    p.set_defaults(func=cmd_prune)

    p = actions.add_parser("delete", help="delete one session and its history")
    _add_db(p)
    p.add_argument("session", metavar="ID")
    p.set_defaults(func=cmd_delete)


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        help="data folder holding sessions.sqlite3 "
        "(default: $CONVREC_HOME or ~/.local/share/convrec)",
    )
    parser.add_argument(
        "--sessions",
        metavar="URL",
        help="a postgresql:// URL to use instead of the file (default: $CONVREC_SESSIONS)",
    )


def _postgres_url(args: argparse.Namespace) -> str | None:
    """The PostgreSQL URL the sessions live at; None for the SQLite file."""
    from agent.settings import Settings

    return Settings.from_env(db=args.db, llm="none", sessions=args.sessions).sessions or None


def _sessions_path(args: argparse.Namespace):
    from agent.settings import Settings

    path = Settings.from_env(db=args.db, llm="none").sessions_path
    if not path.is_file():
        raise FileNotFoundError(f"no sessions file at {path}")
    return path


def cmd_check(args: argparse.Namespace) -> int:
    from agent.session_file import damaged_copies, file_problem

    url = _postgres_url(args)
    if url is not None:
        return _check_postgres(url)
    path = _sessions_path(args)
    for copy in damaged_copies(path):
        print(f"note: a damaged file set aside earlier: {copy}")
    problem = file_problem(path, thorough=True)
    if problem is not None:
        print(
            f"{path}: DAMAGED: {problem}\nStop the app, move the file aside (or salvage it "
            f"with `sqlite3 {path.name} .recover`), then restart."
        )
        return 1
    print(f"{path}: ok")
    return 0


def _check_postgres(url: str) -> int:
    from agent.session_postgres import database_problem, describe

    problem = database_problem(url)
    if problem is not None:
        print(f"{describe(url)}: NOT USABLE: {problem}")
        return 1
    print(f"{describe(url)}: ok (the server answers and holds the sessions and turns tables)")
    return 0


def _open_store(args: argparse.Namespace):
    """The store of `--sessions` or `--db`, refusing a damaged file (opening would set it
    aside)."""
    from agent.session_file import file_problem
    from agent.session_store import SessionStore

    url = _postgres_url(args)
    if url is not None:
        from agent.session_postgres import PostgresSessionStore

        return PostgresSessionStore(url)
    path = _sessions_path(args)
    problem = file_problem(path, thorough=False)
    if problem is not None:
        raise RuntimeError(f"{path} is damaged ({problem}): see `convrec sessions check`")
    return SessionStore(path)


def cmd_prune(args: argparse.Namespace) -> int:
    if not args.older_than >= 0:
        raise ValueError(f"--older-than must be a number of days >= 0, not {args.older_than}")
    store = _open_store(args)
    try:
        removed = store.prune(args.older_than * 86400)
    finally:
        store.close()
    print(f"removed {removed} session(s) untouched for {args.older_than:g} days from {store.where}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    store = _open_store(args)
    try:
        found = store.delete(args.session)
    finally:
        store.close()
    if not found:
        print(f"no session {args.session!r} in {store.where}")
        return 1
    print(f"deleted session {args.session!r} from {store.where}")
    return 0
