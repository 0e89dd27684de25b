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


# -- books (goodbooks-10k) ------------------------------------------------------------------------

BOOKS_SAMPLE = 600  # the most-rated books (goodbooks ids follow rating counts)
# An author the book tests and scripts follow through series and "same author": all their books.
NAMED_AUTHOR = "Brandon Sanderson"


@pytest.fixture(scope="session")
def goodbooks_dir() -> Path:
    """The real goodbooks-10k folder (`corpora.paths`); the book tests skip without ../shared."""
    from corpora.paths import DataNotFound, data_path

    try:
        return data_path(None, "goodbooks", "books.csv").parent
    except DataNotFound as exc:
        pytest.skip(f"the book tests read goodbooks-10k: {exc}")


@pytest.fixture(scope="session")
def books_sample_dir(goodbooks_dir, tmp_path_factory) -> Path:
    """The first BOOKS_SAMPLE books plus NAMED_AUTHOR's, with their tags, written in the data
    set's own three files: what the loader reads, small enough to index in seconds."""
    import csv
    import gzip

    folder = tmp_path_factory.mktemp("goodbooks-sample")
    with (goodbooks_dir / "books.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [
            r for r in reader if int(r["book_id"]) <= BOOKS_SAMPLE or NAMED_AUTHOR in r["authors"]
        ]
        header = reader.fieldnames
    with (folder / "books.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    keep = {r["goodreads_book_id"] for r in rows}
    with gzip.open(goodbooks_dir / "book_tags.csv.gz", "rt", encoding="utf-8") as source:
        lines = [line for n, line in enumerate(source) if n == 0 or line.split(",", 1)[0] in keep]
    with gzip.open(folder / "book_tags.csv.gz", "wt", encoding="utf-8") as target:
        target.writelines(lines)
    shutil.copy(goodbooks_dir / "tags.csv", folder / "tags.csv")
    return folder


@pytest.fixture(scope="session")
def book_items(books_sample_dir):
    from retrieval.catalog import load_catalog

    return load_catalog(books_sample_dir).items


@pytest.fixture(scope="session")
def _built_books_db(tmp_path_factory, book_items, embedder):
    from retrieval.index import ItemIndex

    db = tmp_path_factory.mktemp("books-db-master")
    ItemIndex(db / "index", embedder).add(book_items, progress=False)
    return db


@pytest.fixture
def books_db(_built_books_db, tmp_path):
    """A data folder (`--db`) holding a copy of the books sample's index."""
    shutil.copytree(_built_books_db / "index", tmp_path / "books-db" / "index")
    return tmp_path / "books-db"


@pytest.fixture
def new_item():
    """An item no catalog has: what item cold start indexes while the system runs."""
    from retrieval.schema import Item

    return Item(
        id="new-1",
        title="Quantum Cats",
        year=2026,
        genres=["comedy", "sci-fi"],
        text="Two cats discover a portal to parallel universes full of yarn.",
    )
