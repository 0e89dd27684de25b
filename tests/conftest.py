"""Shared fixtures: a real (small) ReDial index built once per test session, copied per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Movies the conversation tests talk about; always in the small index.
NAMED = (
    "Alien",
    "Aliens",
    "The Terminator",
    "E.T. the Extra-Terrestrial",
    "Toy Story",
    "Back to the Future",
    "The Shining",
    "Titanic",
    "The Notebook",
    "Finding Nemo",
)
SMALL_SIZE = 800


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The public data (`corpora.paths`): $CONVREC_DATA, else ../shared/data from the working
    directory, so run the tests from the checkout or set CONVREC_DATA."""
    from corpora.paths import DataNotFound, data_path

    try:
        return data_path(None, "redial", "catalog.json").parents[1]
    except DataNotFound as exc:
        pytest.fail(f"the tests read the ReDial data: {exc}")


@pytest.fixture(scope="session")
def redial_dir(data_root) -> Path:
    return data_root / "redial"


@pytest.fixture(scope="session")
def redial_items(redial_dir):
    from retrieval.catalog import load_catalog

    return load_catalog(redial_dir / "catalog.json").items


@pytest.fixture(scope="session")
def small_items(redial_items):
    """The most-mentioned ReDial movies plus the named ones: a real catalog slice that indexes
    in seconds."""
    named = [it for it in redial_items if it.title in NAMED]
    rest = sorted((it for it in redial_items if it not in named), key=lambda it: -it.popularity)
    return named + rest[: SMALL_SIZE - len(named)]


@pytest.fixture(scope="session")
def embedder():
    from retrieval.embedder import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def _built_index(tmp_path_factory, small_items, embedder):
    from retrieval.index import ItemIndex

    path = tmp_path_factory.mktemp("index-master")
    ItemIndex(path, embedder).add(small_items, progress=False)
    return path


@pytest.fixture
def index(_built_index, tmp_path, embedder):
    """A private, writable copy of the small index."""
    from retrieval.index import ItemIndex

    path = tmp_path / "index"
    shutil.copytree(_built_index, path)
    return ItemIndex(path, embedder)


@pytest.fixture
def db(_built_index, tmp_path):
    """A data folder (`--db`) holding a copy of the small index, as `convrec index` makes it."""
    shutil.copytree(_built_index, tmp_path / "db" / "index")
    return tmp_path / "db"
