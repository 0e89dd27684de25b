"""A user's own catalog: JSON Lines or CSV rows in the `Item` schema.

JSONL: one object per line with the fields of `retrieval.schema.Item`.
CSV: a header with `id,title` and any of `text,year,genres,popularity`; `genres` and
`people.<role>` columns hold `|`-separated lists; every other column becomes an attribute.

Both are UTF-8 (a byte-order mark is allowed). A byte that is not UTF-8 spoils its row only: the
file is decoded with `surrogateescape`, which keeps such bytes as lone surrogates, and a row that
holds one is reported with its line like any other bad row.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from retrieval.catalog.report import CatalogLoad, RowError

_LIST_SEPARATOR = "|"
_ENCODING = "utf-8-sig"  # UTF-8, with or without the byte-order mark spreadsheets write
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # a byte `surrogateescape` could not decode


def _undecodable(text: str) -> str | None:
    """Why `text` is not valid UTF-8, or None when it is."""
    match = _UNDECODABLE.search(text)
    if match is None:
        return None
    byte = ord(match.group(0)) - 0xDC00
    return f"not valid UTF-8: byte 0x{byte:02x} at character {match.start() + 1}"


def load_jsonl(path: Path) -> CatalogLoad:
    load, seen = CatalogLoad(str(path)), set()
    with path.open(encoding=_ENCODING, errors="surrogateescape") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            bad = _undecodable(line)
            if bad:
                load.errors.append(RowError(line_no, "-", bad))
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
    with path.open(encoding=_ENCODING, errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        bad = _undecodable(",".join(header))
        if bad:  # the header names every column: no row can be read right without it
            load.errors.append(RowError(1, "-", bad))
            return load
        missing = {"id", "title"} - set(header)
        if missing:
            load.errors.append(RowError(1, ",".join(sorted(missing)), "missing column"))
            return load
        for row in reader:
            # The reader's line_num is the physical line just read, which is right for one-line rows.
            error = _bad_cell(reader.line_num, row)
            if error:
                load.errors.append(error)
                continue
            load.add_row(reader.line_num, _csv_row(row), seen)
    return load


def _bad_cell(line: int, row: dict[str | None, str | list[str] | None]) -> RowError | None:
    """The first cell of the row that is not valid UTF-8, if any."""
    for key, value in row.items():
        cells = value if isinstance(value, list) else [value or ""]  # extra cells: a list
        bad = next(filter(None, map(_undecodable, cells)), None)
        if bad:
            return RowError(line, key or "-", bad)
    return None


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
