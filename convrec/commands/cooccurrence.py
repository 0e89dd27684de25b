"""`convrec build-cooccurrence`: the collaborative model of the ReDial valid dialogues (and
IARD's non-test ones), saved into `<db>/models` where the agent picks it up.

    convrec build-cooccurrence --db /tmp/a3db
"""

from __future__ import annotations

import argparse

from convrec.commands.options import add_data_option


def register(sub: argparse._SubParsersAction) -> None:
    """Add `build-cooccurrence` to the top-level commands."""
    p = sub.add_parser(
        "build-cooccurrence",
        help="count item co-occurrence in the ReDial valid dialogues (and IARD's "
        "non-test ones) into <db>/models",
    )
    p.add_argument("--db", help="data folder with the ReDial index (default: $CONVREC_HOME)")
    add_data_option(p)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_build_cooccurrence)


def cmd_build_cooccurrence(args: argparse.Namespace) -> int:
    from agent.settings import Settings
    from corpora.paths import data_path
    from finetune.cooccurrence import build_cooccurrence
    from retrieval.collaborative import FILE_NAME

    settings = Settings.from_env(db=args.db, llm="none")
    model = build_cooccurrence(settings, data_path(args.data, "redial"))
    print(
        f"co-occurrence of {model.dialogues} dialogues (ReDial valid and IARD's non-test ones), "
        f"{len(model.mentions)} movies, saved to {settings.models_dir / FILE_NAME}"
    )
    return 0
