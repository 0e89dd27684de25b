"""A user's own catalog: JSON Lines or CSV rows in the `Item` schema.

JSONL: one object per line with the fields of `retrieval.schema.Item`.
CSV: a header with `id,title` and any of `text,year,genres,popularity`; `genres` and
`people.<role>` columns hold `|`-separated lists; every other column becomes an attribute.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from retrieval.catalog.report import CatalogLoad, RowError

_LIST_SEPARATOR = "|"


def load_jsonl(path: Path) -> CatalogLoad:
    load, seen = CatalogLoad(str(path)), set()
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                load.errors.append(RowError(line_no, "-", f"not valid JSON ({exc.msg})"))
                continue
            if not isinstance(raw, dict):
                load.errors.append(RowError(line_no, "-", "expected a JSON object"))
                continue
            load.add_row(line_no, raw, seen)
    return load


def load_csv(path: Path) -> CatalogLoad:
    load, seen = CatalogLoad(str(path)), set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"id", "title"} - set(reader.fieldnames or [])
        if missing:
            load.errors.append(RowError(1, ",".join(sorted(missing)), "missing column"))
            return load
        for row in reader:
            # The reader's line_num is the physical line just read, which is right for one-line rows.
            load.add_row(reader.line_num, _csv_row(row), seen)
    return load


def _csv_row(row: dict[str, str | None]) -> dict:
    raw: dict = {"people": {}, "attributes": {}}
    for key, value in row.items():
        if key is None or value is None or value == "":
            continue  # extra cells without a header, or empty cells: nothing to say
        if key in ("id", "title", "text", "year", "popularity"):
            raw[key] = value
        elif key == "genres":
            raw["genres"] = value.split(_LIST_SEPARATOR)
        elif key.startswith("people."):
            raw["people"][key.removeprefix("people.")] = value.split(_LIST_SEPARATOR)
        else:
            raw["attributes"][key] = value
    return raw


def load_file(path: Path) -> CatalogLoad:
    """Load a `.jsonl`/`.ndjson` or `.csv` catalog file."""
    if not path.is_file():
        raise FileNotFoundError(f"catalog file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return load_jsonl(path)
    if suffix == ".csv":
        return load_csv(path)
    raise ValueError(f"unsupported catalog format {suffix!r} for {path}: use .jsonl or .csv")
