"""The code is formatted and lint-clean with the pinned ruff (pyproject's dev extra), as CI checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module", autouse=True)
def _has_ruff():
    if _ruff("--version").returncode != 0:
        pytest.fail("ruff is missing: install the dev extra (bash scripts/install.sh --dev)")


def test_code_is_formatted():
    result = _ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_lint_clean():
    result = _ruff("check", ".")
    assert result.returncode == 0, result.stdout + result.stderr
