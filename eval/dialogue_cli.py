"""Sub-command registration (see the package's cli.py)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add sub-commands to `sub`."""
