"""A real, non-editable `pip install .`: the installed `convrec` runs from outside the checkout.

The development install is editable, so a package left out of `pyproject.toml` would still import
from the checkout there; this test installs a copy into a fresh venv and runs it from elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Left out of the copy: environments, build outputs and caches, as a clean checkout has none.
_NOT_SOURCE = shutil.ignore_patterns(
    ".venv*",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "data",
    "runs",
    "reports",
)
SPACE = {"s1", "s2", "s3", "s4"}
CATALOG = [
    ("s1", "Star Voyage", ["sci-fi", "adventure"], "A crew explores distant planets in space."),
    ("s2", "Galaxy Raiders", ["sci-fi", "action"], "Pilots battle across the galaxy in starships."),
    ("s3", "The Last Orbit", ["sci-fi"], "An astronaut is stranded on a space station."),
    ("s4", "Moonfall Run", ["adventure"], "A space adventure: smugglers race to the moon."),
    ("r1", "Paris in Spring", ["romance"], "Two strangers fall in love in Paris."),
    ("r2", "Letters Home", ["romance", "drama"], "A wartime love story told in letters."),
    ("c1", "Office Hours", ["comedy"], "Coworkers prank each other at a small office."),
    ("h1", "The Cellar", ["horror"], "Something lives beneath an old farmhouse."),
    ("d1", "Courtroom Nine", ["drama"], "A lawyer defends an innocent man."),
    ("w1", "Dust Trail", ["western"], "A sheriff hunts outlaws across the desert."),
]


def _site_packages(venv: Path) -> Path:
    return Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return env | {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "HF_HUB_OFFLINE": "1"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding a non-editable install of a copy of the checkout. Heavy
    dependencies (torch, transformers, the embedding model) are read from this interpreter's
    site-packages, added as a plain path so that its `.pth` files, among them the editable
    install's finder, are not run."""
    root = tmp_path_factory.mktemp("install")
    source, venv = root / "src", root / "venv"
    shutil.copytree(REPO, source, ignore=_NOT_SOURCE)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    host = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (_site_packages(venv) / "host_packages.pth").write_text("\n".join(sorted(host)) + "\n")
    out = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            str(source),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
        env=_env(),
    )
    assert out.returncode == 0, out.stderr
    return venv


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "convrec"), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=_env(),
    )


def test_every_package_is_installed_and_imported_from_the_venv(installed, tmp_path):
    packages = sorted(p.parent.name for p in REPO.glob("*/__init__.py") if p.parent.name != "tests")
    code = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    print(importlib.import_module(name).__file__)"
    )
    out = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code, *packages],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=_env(),
    )
    assert out.returncode == 0, f"{packages}: {out.stderr}"
    for path in out.stdout.split():
        assert Path(path).is_relative_to(_site_packages(installed)), path


def test_help_lists_commands(installed, tmp_path):
    out = _run(installed, tmp_path, "--help")
    assert out.returncode == 0, out.stderr
    assert "ask" in out.stdout and "chat" in out.stdout


def test_ask_recommends_from_the_given_catalog(installed, tmp_path):
    catalog = tmp_path / "mine.jsonl"
    catalog.write_text(
        "".join(
            json.dumps({"id": id_, "title": title, "genres": genres, "text": text}) + "\n"
            for id_, title, genres, text in CATALOG
        )
    )
    out = _run(
        installed,
        tmp_path,
        "ask",
        "--db",
        str(tmp_path / "db"),
        "--catalog",
        str(catalog),
        "--llm",
        "none",
        "--session",
        "t",
        "--message",
        "I like space adventures",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    ids = [item["id"] for item in json.loads(out.stdout)["items"]]
    assert ids and set(ids) <= {id_ for id_, *_ in CATALOG}
    assert ids[0] in SPACE
