"""A small file beside the index that says "the catalog changed", across processes.

`convrec index` may run while an agent or the app serves the same folder. Each process keeps the
catalog in memory, so it must learn of another process's writes without reading the collection
again every turn: a writer replaces this file (atomically, with a fresh token) after each change,
and a reader compares one `stat` of it with what it saw last.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

FILE_NAME = "catalog.version"

_Stamp = tuple[int, int, int] | None  # (inode, mtime ns, size) of the file; None: no file yet


class VersionFile:
    """Detects and announces changes of the catalog in one index folder."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE_NAME
        self._stamp, self._token = self._observe()

    def changed(self) -> bool:
        """True once for every change announced since the last call (by any process)."""
        if _stamp(self.path) == self._stamp:
            return False
        before = self._token
        self._stamp, self._token = self._observe()
        return self._token != before

    def announce(self) -> None:
        """Tell every process reading the folder that the catalog changed (call after the write)."""
        temporary = self.path.with_name(f".{FILE_NAME}.{uuid.uuid4().hex}")
        temporary.write_text(uuid.uuid4().hex, encoding="utf-8")
        os.replace(temporary, self.path)  # atomic: a reader sees the old token or the new one
        self._stamp, self._token = self._observe()

    def _observe(self) -> tuple[_Stamp, str]:
        # stat first: a write between the two is then seen again by the next `changed`
        stamp = _stamp(self.path)
        try:
            return stamp, self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None, ""


def _stamp(path: Path) -> _Stamp:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size
