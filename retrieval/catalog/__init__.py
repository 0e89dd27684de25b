"""Catalog loaders. `load_catalog` picks one by the source's name or file type."""

from __future__ import annotations

from pathlib import Path

from retrieval.catalog.file import load_file
from retrieval.catalog.goodbooks import BOOKS_FILE, load_goodbooks
from retrieval.catalog.movielens import load_movielens
from retrieval.catalog.redial import load_redial
from retrieval.catalog.report import CatalogLoad, RowError

DEMO_CATALOG = "movielens-100k"


def load_catalog(source: str | Path) -> CatalogLoad:
    """Load a catalog.

    Args:
        source: ``"movielens-100k"`` (the built-in demo), a ReDial ``catalog.json`` (or its
            folder), a goodbooks-10k folder (the one holding ``books.csv``), or a user's ``.jsonl``/``.csv`` file in the `Item` schema.

    Returns:
        The loaded items and the rows that were skipped, each with its line and field.
    """
    if str(source) == DEMO_CATALOG:
        return load_movielens()
    path = Path(source).expanduser()
    if (path / BOOKS_FILE).is_file():
        return load_goodbooks(path)
    if path.is_dir() or path.name == "catalog.json":
        return load_redial(path)
    return load_file(path)


__all__ = ["DEMO_CATALOG", "CatalogLoad", "RowError", "load_catalog"]
