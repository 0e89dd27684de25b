"""`convrec` sub-commands of the finetune package (registered by convrec/cli.py)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this package's sub-commands to the `convrec` parser."""
