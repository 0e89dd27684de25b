"""The ids each write touched, in a file beside an index folder, for the other processes.

`retrieval.version_file` tells a process *that* the catalog changed; this log tells it *which*
items, so it re-reads those instead of the whole catalog (`retrieval.change_journal`). A writer
appends one line per write (under an exclusive lock) before it announces the write; a reader
keeps where it stopped and reads the lines after it. A write of more than MAX_IDS ids is logged
as unknown: re-reading everything costs about the same. The file is started afresh when it grows
past MAX_BYTES; a reader that sees that (another file, or a shorter one) reads everything again.

A small write (MAX_ROWS items at most) also carries its rows, as written to Chroma (metadata and
vector; None for a deleted id): a reader can then update its copies without asking Chroma, whose
client would first have to read the whole folder again to see another process's rows (about 3 s
at 1M items).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "catalog.changes"
MAX_IDS = 10_000  # ids written per line; a larger write is logged as unknown
MAX_ROWS = 100  # items whose rows a line carries (about 6 KB each)
MAX_BYTES = 32 << 20  # the file is started afresh past this size

Row = dict | None  # {"metadata": ..., "embedding": [...]} as written; None: deleted


@dataclass(frozen=True)
class Change:
    """One logged write."""

    ids: frozenset[str] | None  # None: unknown (a bulk write, a damaged line)
    rows: dict[str, Row] | None = None  # every id's row, when the write was small


# What a reader gets: each new line, or None when it lost its place.
Changes = list[Change] | None


class ChangeLog:
    """Appends and reads the change lines of one index folder."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE_NAME
        self._file_id, self._offset = self._end()  # a new reader starts after what exists

    def append(self, ids: list[str], rows: dict[str, Row] | None = None) -> None:
        """Log one write (call after the write, before announcing it); `rows`: what it wrote,
        by id, kept when there are at most MAX_ROWS."""
        import fcntl

        entry: dict = {"ids": ids if len(ids) <= MAX_IDS else None}
        if rows is not None and len(rows) <= MAX_ROWS and set(rows) == set(ids):
            entry["rows"] = rows
        line = json.dumps(entry) + "\n"
        with open(self.path, "a", encoding="utf-8") as log:
            fcntl.flock(log, fcntl.LOCK_EX)  # one whole line at a time, from every process
            if log.tell() > MAX_BYTES:
                self._restart()
            else:
                log.write(line)

    def read_new(self) -> Changes:
        """The lines appended since the last call (this process's own included)."""
        file_id, size = self._end()
        if self._file_id is None and file_id is not None:  # the first write made the file
            self._file_id, self._offset = file_id, 0
        if file_id != self._file_id or size < self._offset:
            self._file_id, self._offset = file_id, size
            return None
        if size == self._offset:
            return []
        with open(self.path, "rb") as log:
            log.seek(self._offset)
            data = log.read(size - self._offset)
        complete = data[: data.rfind(b"\n") + 1]  # a line still being written is read next time
        self._offset += len(complete)
        return [_change(line) for line in complete.decode("utf-8").splitlines() if line.strip()]

    def _end(self) -> tuple[int | None, int]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None, 0
        return st.st_ino, st.st_size

    def _restart(self) -> None:
        # A new (empty) file under the same name: readers see another inode and read everything.
        temporary = self.path.with_name(f".{FILE_NAME}.{os.getpid()}")
        temporary.write_text("", encoding="utf-8")
        os.replace(temporary, self.path)


def _change(line: str) -> Change:
    try:
        entry = json.loads(line)
        ids, rows = entry["ids"], entry.get("rows")
    except (ValueError, KeyError, TypeError, AttributeError):
        return Change(None)  # a damaged line: unknown, read everything
    if ids is None:
        return Change(None)
    return Change(frozenset(str(i) for i in ids), rows if isinstance(rows, dict) else None)


def union(changes: Changes) -> set[str] | None:
    """Every id the logged writes touched; None when one of them (or the log) is unknown."""
    if changes is None or any(change.ids is None for change in changes):
        return None
    return set().union(*(change.ids for change in changes))
