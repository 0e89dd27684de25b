"""`--demo movies|books` for `convrec chat` and `convrec ui`: which demo catalog, in which folder.

movies: MovieLens-100k, shipped inside the `recbole` wheel, in the default data folder.
books: goodbooks-10k (CC BY-SA 4.0), not shipped: indexed on first run from the data folder
(--data, $CONVREC_DATA, else ../shared/data; see corpora/paths.py) into its own folder,
<data home>/demo-books, so the movie demo's index and sessions stay as they are.

convrec chat --demo books
convrec ui --demo books --data ~/datasets     # ~/datasets/goodbooks/books.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

from convrec.commands.options import add_data_option

DEMOS = ("movies", "books")
BOOKS_FOLDER = "demo-books"  # under the default data home, when --db is not given
GOODBOOKS_URL = "https://github.com/zygmuntz/goodbooks-10k"
FORMAT = "goodbooks"  # `--catalog goodbooks`: the data folder's goodbooks/


def add_demo_options(parser: argparse.ArgumentParser) -> None:
    """--demo and --data (where the books demo reads goodbooks/ from)."""
    parser.add_argument(
        "--demo",
        choices=DEMOS,
        default="movies",
        help="movies: MovieLens-100k (shipped, the default); books: goodbooks-10k, indexed "
        "from the data folder on first run into its own folder",
    )
    add_data_option(parser)


def apply_demo(args: argparse.Namespace) -> None:
    """Point `args.db` and `args.catalog` at the chosen demo (an explicit --db is kept).

    Raises:
        FileNotFoundError: the books demo is not indexed yet and goodbooks-10k is not in the
            data folder; the message says where to get it.
    """
    if args.demo != "books":
        return
    from agent.settings import default_home

    args.db = args.db or str(default_home() / BOOKS_FOLDER)
    folder = goodbooks_folder(args.data, Path(args.db))
    args.catalog = str(folder) if folder is not None else None


def catalog_source(catalog: str, data: Path | None = None) -> str:
    """A `--catalog` value as `load_catalog` takes it: the format name "goodbooks" is the
    goodbooks/ folder of the data folder (--data, $CONVREC_DATA, ../shared/data)."""
    if catalog != FORMAT:
        return catalog
    from corpora.paths import DataNotFound, data_path

    try:
        return str(data_path(data, "goodbooks", "books.csv").parent)
    except DataNotFound as exc:
        raise FileNotFoundError(f"{exc}; goodbooks-10k is at {GOODBOOKS_URL}") from None


def goodbooks_folder(data: Path | None, db: Path) -> Path | None:
    """The goodbooks-10k folder in the data folder; None when it is missing but `db` is
    indexed already (an indexed demo needs no data), an error when both are missing."""
    from corpora.paths import DataNotFound, data_path

    try:
        return data_path(data, "goodbooks", "books.csv").parent
    except DataNotFound as exc:
        if (db / "index").is_dir():
            return None
        raise FileNotFoundError(
            "the books demo is indexed from goodbooks-10k (CC BY-SA 4.0), which convrec does "
            f"not ship. Get books.csv, book_tags.csv.gz and tags.csv from {GOODBOOKS_URL} into "
            "a folder named goodbooks/, then pass --data DIR (the folder that holds goodbooks/) "
            f"or set CONVREC_DATA. ({exc})"
        ) from None
