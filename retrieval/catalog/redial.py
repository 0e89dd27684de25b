"""The ReDial movie catalog (`catalog.json` of the iEvaLM-CRS release).

Popularity comes from how often each movie is mentioned in `valid_dialogues.jsonl` when that
file sits beside the catalog: the validation split only, so nothing leaks from test.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from retrieval.catalog.report import CatalogLoad, RowError
from retrieval.schema import split_title_year

_PEOPLE_ROLES = ("director", "writer", "star")


def load_redial(path: Path) -> CatalogLoad:
    """Load `catalog.json` (a file, or the folder that holds it)."""
    if path.is_dir():
        path = path / "catalog.json"
    if not path.is_file():
        raise FileNotFoundError(f"ReDial catalog not found: {path}")
    rows = json.loads(path.read_text(encoding="utf-8"))
    mentions = _mention_counts(path.parent / "valid_dialogues.jsonl")
    load, seen = CatalogLoad(str(path)), set()
    # The file is one JSON object; its n-th entry is reported as "line" n for lack of real lines.
    for index, (movie_id, row) in enumerate(rows.items(), start=1):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            load.errors.append(RowError(index, "name", f"entry {movie_id!r} has no name"))
            continue
        load.add_row(index, _item_row(movie_id, row, mentions), seen)
    return load


def _item_row(movie_id: str, row: dict, mentions: Counter) -> dict:
    title, year = split_title_year(row["name"])
    # A few entries lost their title upstream ("(2015)"); they are still real dialogue targets.
    title = title or row["name"].strip()
    people = {role: row.get(role) or [] for role in _PEOPLE_ROLES}
    return {
        "id": movie_id,
        "title": title,
        "year": year,
        "text": row.get("plot") or "",
        "genres": row.get("genre") or [],
        "people": {role: names for role, names in people.items() if names},
        "attributes": {"imdb_id": row["imdb_id"]} if row.get("imdb_id") else {},
        "popularity": float(mentions.get(" ".join(row["name"].split()), 0)),
    }


def _mention_counts(path: Path) -> Counter:
    counts: Counter = Counter()
    if not path.is_file():
        return counts
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            for name in json.loads(line).get("movieMentions", {}).values():
                if name:
                    counts[" ".join(name.split())] += 1
    return counts
