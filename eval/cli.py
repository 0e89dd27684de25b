"""`convrec eval ...`: the evaluation sub-commands (registered by convrec/cli.py)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add `convrec eval` with its own sub-commands (redial, script, simulate)."""
    from eval.dialogue_cli import register as register_dialogue
    from eval.redial_cli import register as register_redial

    group = sub.add_parser("eval", help="offline evaluation").add_subparsers(
        dest="eval_command", required=True
    )
    register_redial(group)
    register_dialogue(group)
