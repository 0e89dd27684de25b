"""goodbooks-10k (Zajac 2017, CC BY-SA 4.0): 10,000 popular books, a second, non-movie catalog.

The folder holds `books.csv` (authors, year, average rating, rating counts, cover URL),
`book_tags.csv.gz` (how many users put each book on each shelf) and `tags.csv` (shelf names).
Get it from https://github.com/zygmuntz/goodbooks-10k; nothing here downloads it.

- Title: `title` without its series suffix; the series goes to attributes
  ("The Hunger Games (The Hunger Games, #1)" -> "The Hunger Games", series "The Hunger Games #1",
  series_name "The Hunger Games", series_number 1).
- People: `authors` (comma-separated) as the `author` role.
- Year: `original_publication_year` when the schema can hold it (1800-2100; the Iliad cannot),
  else no year and the real one as the `publication_year` attribute.
- Genres: the shelves that name a genre (a whitelist; most shelves are `to-read`, `favorites`,
  `owned`, `kindle`...), merged into one spelling each (ya, teen -> young-adult), kept when at
  least `GENRE_SHARE` of the book's strongest genre's count.
- Popularity: `ratings_count`; `average_rating` and `image_url` as attributes (a cover URL
  points to a third-party host, so nothing shows it unless asked to).
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
from pathlib import Path

from retrieval.catalog.report import CatalogLoad, RowError

FORMAT = "goodbooks"  # the format name `load_catalog` accepts besides the folder
BOOKS_FILE = "books.csv"
SOURCE_URL = "https://github.com/zygmuntz/goodbooks-10k"
GENRE_SHARE = 0.12  # a genre shelved by under 12% as many users as the top one is noise
MAX_GENRES = 6

# Shelf -> genre. Genre names that the agent's lexicon already knows for movies are kept
# ("sci-fi", "history", "biography", "horror"...) so the same words reach them.
GENRE_TAGS: dict[str, str] = {
    **dict.fromkeys(("fantasy", "high-fantasy", "epic-fantasy", "fantasy-fiction"), "fantasy"),
    **dict.fromkeys(("urban-fantasy", "paranormal-fantasy", "uf"), "urban-fantasy"),
    **dict.fromkeys(("dark-fantasy", "grimdark", "dark"), "dark"),
    **dict.fromkeys(
        ("sci-fi", "science-fiction", "scifi", "sf", "sciencefiction", "space-opera"), "sci-fi"
    ),
    **dict.fromkeys(("dystopian", "dystopia", "post-apocalyptic", "dystopias"), "dystopian"),
    **dict.fromkeys(
        ("romance", "contemporary-romance", "historical-romance", "romantic", "love-story"),
        "romance",
    ),
    **dict.fromkeys(("paranormal", "supernatural", "paranormal-romance", "pnr"), "paranormal"),
    **dict.fromkeys(
        ("mystery", "mysteries", "murder-mystery", "detective", "cozy-mystery"), "mystery"
    ),
    **dict.fromkeys(("thriller", "thrillers", "suspense", "psychological-thriller"), "thriller"),
    **dict.fromkeys(("crime", "crime-fiction", "true-crime"), "crime"),
    **dict.fromkeys(("horror", "horror-fiction", "ghosts"), "horror"),
    **dict.fromkeys(
        (
            "young-adult",
            "ya",
            "ya-fiction",
            "young-adult-fiction",
            "teen",
            "ya-books",
            "ya-lit",
            "teen-fiction",
            "youngadult",
        ),
        "young-adult",
    ),
    **dict.fromkeys(("middle-grade", "middle-grades", "mg", "juvenile"), "middle-grade"),
    **dict.fromkeys(
        (
            "children",
            "childrens",
            "children-s",
            "kids",
            "childrens-books",
            "children-s-books",
            "kids-books",
            "picture-books",
            "picture-book",
        ),
        "children",
    ),
    **dict.fromkeys(("classics", "classic", "classic-literature", "classic-lit"), "classics"),
    **dict.fromkeys(
        ("historical-fiction", "historical", "fiction-historical", "historic-fiction"),
        "historical-fiction",
    ),
    **dict.fromkeys(("literary-fiction", "literary", "literature"), "literary-fiction"),
    "contemporary": "contemporary",
    "chick-lit": "chick-lit",
    **dict.fromkeys(("humor", "humour", "funny", "comedy", "humorous"), "humor"),
    **dict.fromkeys(("adventure", "action-adventure"), "adventure"),
    **dict.fromkeys(("non-fiction", "nonfiction", "non-fic", "nonfic"), "non-fiction"),
    "history": "history",
    **dict.fromkeys(("biography", "biographies", "autobiography", "biography-memoir"), "biography"),
    **dict.fromkeys(("memoir", "memoirs"), "memoir"),
    "science": "science",
    "philosophy": "philosophy",
    "psychology": "psychology",
    **dict.fromkeys(("religion", "christian", "spirituality", "christianity"), "religion"),
    **dict.fromkeys(("self-help", "personal-development", "self-improvement"), "self-help"),
    **dict.fromkeys(("business", "economics", "leadership"), "business"),
    "politics": "politics",
    **dict.fromkeys(("poetry", "poems"), "poetry"),
    **dict.fromkeys(("short-stories", "short-story", "anthology"), "short-stories"),
    **dict.fromkeys(
        ("graphic-novels", "comics", "graphic-novel", "manga", "comic", "comics-graphic-novels"),
        "graphic-novels",
    ),
    **dict.fromkeys(("war", "military", "wwii", "world-war-ii"), "war"),
    "coming-of-age": "coming-of-age",
    **dict.fromkeys(("vampires", "vampire"), "vampires"),
    "mythology": "mythology",
    **dict.fromkeys(("erotica", "erotic", "erotic-romance"), "erotica"),
    "steampunk": "steampunk",
    **dict.fromkeys(("plays", "theatre", "theater"), "plays"),
    "travel": "travel",
}

_SERIES = re.compile(r"^(?P<title>.*\S)\s*\((?P<series>[^()]*?#[^()]*)\)\s*$")
_NUMBER = re.compile(r",?\s*#\s*(?P<number>\d+(?:\.\d+)?)\s*$")
_REQUIRED = ("book_id", "goodreads_book_id", "authors", "title")


def load_goodbooks(folder: Path) -> CatalogLoad:
    """Load the goodbooks-10k folder (the one holding books.csv).

    Returns:
        The books and every row that was not loaded, with its line and field.

    Raises:
        FileNotFoundError: `books.csv` is not in the folder, with where to get the data.
    """
    folder = Path(folder).expanduser()
    books = folder / BOOKS_FILE
    if not books.is_file():
        raise FileNotFoundError(
            f"{books} not found: goodbooks-10k is not in {folder}. Get books.csv, "
            f"book_tags.csv.gz and tags.csv from {SOURCE_URL}"
        )
    genres = _genres(folder)
    load, seen = CatalogLoad(str(folder)), set()
    with books.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            load.errors.append(RowError(1, ",".join(missing), "missing column"))
            return load
        for row in reader:
            raw, error = _book_row(reader.line_num, row, genres)
            if error is not None:
                load.errors.append(error)
                continue
            load.add_row(reader.line_num, raw, seen)
    return load


def split_series(title: str) -> tuple[str, str | None, str | None, float | None]:
    """'Catching Fire (The Hunger Games, #2)' -> ('Catching Fire', 'The Hunger Games #2',
    'The Hunger Games', 2.0). A title without a series comes back alone; a boxed set's range
    ('#1-3') keeps its series name and has no number."""
    match = _SERIES.match(title.strip())
    if not match:
        return " ".join(title.split()), None, None, None
    series = " ".join(match["series"].split(";")[0].split())  # "Discworld, #1; Rincewind #1"
    name = re.sub(r",?\s*#.*$", "", series).strip()
    number = _NUMBER.search(series)
    label = f"{name} #{series.split('#', 1)[1].strip()}" if name else series
    return (
        " ".join(match["title"].split()),
        label,
        name or None,
        float(number["number"]) if number else None,
    )


def _book_row(line: int, row: dict, genres: dict[str, list[str]]) -> tuple[dict, RowError | None]:
    """The Item fields of one books.csv row, or the first field that cannot be read."""
    title, series, name, number = split_series(row.get("title") or "")
    attributes: dict = {}
    for key, kind in (("average_rating", float), ("ratings_count", float)):
        value = (row.get(key) or "").strip()
        try:
            attributes[key] = kind(value) if value else None
        except ValueError:
            return {}, RowError(line, key, f"not a number: {value!r}")
    year, error = _year(line, row.get("original_publication_year") or "")
    if error is not None:
        return {}, error
    if year is not None and not 1800 <= year <= 2100:
        attributes["publication_year"], year = year, None  # ancient works: said, not filtered
    if series:
        attributes.update(series=series, series_name=name)
        if number is not None:
            attributes["series_number"] = number
    for key in ("image_url", "language_code"):
        if (row.get(key) or "").strip():
            attributes[key] = row[key].strip()
    rating_count = attributes.pop("ratings_count")
    attributes = {k: v for k, v in attributes.items() if v is not None}
    authors = [a.strip() for a in (row.get("authors") or "").split(",") if a.strip()]
    return {
        "id": row.get("book_id"),
        "title": title,
        "year": year,
        "genres": genres.get((row.get("goodreads_book_id") or "").strip(), []),
        "people": {"author": authors} if authors else {},
        "attributes": attributes,
        "popularity": rating_count,
    }, None


def _year(line: int, value: str) -> tuple[int | None, RowError | None]:
    value = value.strip()
    if not value:
        return None, None
    try:
        return int(float(value)), None
    except ValueError:
        return None, RowError(line, "original_publication_year", f"not a year: {value!r}")


def _genres(folder: Path) -> dict[str, list[str]]:
    """goodreads_book_id -> its genres, strongest first. Missing tag files: no genres."""
    tags_file, counts_file = folder / "tags.csv", folder / "book_tags.csv.gz"
    if not (tags_file.is_file() and counts_file.is_file()):
        return {}
    with tags_file.open(encoding="utf-8", newline="") as handle:
        genre_of = {
            row["tag_id"]: GENRE_TAGS[row["tag_name"]]
            for row in csv.DictReader(handle)
            if row.get("tag_name") in GENRE_TAGS
        }
    weights: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with gzip.open(counts_file, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            genre = genre_of.get(row["tag_id"])
            if genre is not None and (row.get("count") or "").strip().lstrip("-").isdigit():
                weights[row["goodreads_book_id"]][genre] += max(int(row["count"]), 0)
    return {book: _strongest(counts) for book, counts in weights.items()}


def _strongest(counts: dict[str, int]) -> list[str]:
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    top = ranked[0][1] if ranked else 0
    return [genre for genre, count in ranked[:MAX_GENRES] if top and count >= GENRE_SHARE * top]
