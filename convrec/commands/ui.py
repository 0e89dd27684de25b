"""`convrec ui`: the Gradio app.

convrec ui                      # the demo catalog, indexed on first run, on 127.0.0.1:7860
convrec ui --db ~/my-db --host 0.0.0.0 --port 8080
convrec ui --demo books         # goodbooks-10k from the data folder, indexed on first run
"""

from __future__ import annotations

import argparse

from convrec.commands.demo import add_demo_options, apply_demo
from convrec.commands.options import (
    add_agent_options,
    add_bind_options,
    agent_from,
    settings_from,
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add `convrec ui` to the `convrec` parser."""
    p = sub.add_parser("ui", help="chat in the browser (Gradio app)")
    add_agent_options(p)
    add_bind_options(p, port=7860)
    p.add_argument(
        "--catalog",
        default="movielens-100k",
        help="catalog to index if the folder has none yet (default: the demo)",
    )
    p.add_argument("--k", type=int, help="recommendations per turn")
    p.add_argument(
        "--covers",
        action="store_true",
        help="show the catalog's cover images (image_url); off by default: they load from a "
        "third-party host, which then sees what each user is shown",
    )
    add_demo_options(p)
    p.set_defaults(func=cmd_ui)


def cmd_ui(args: argparse.Namespace) -> int:
    from ui.app import launch

    apply_demo(args)
    agent = agent_from(args)
    agent.warm_up()
    print(f"convrec ui on http://{args.host}:{args.port} (Ctrl-C to stop)")
    # The key signing the tabs' session tokens lives beside the sessions it guards.
    secret = settings_from(args).db / "ui-secret"
    launch(agent, args.host, args.port, secret_file=secret, covers=args.covers)
    return 0
