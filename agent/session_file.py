"""The sessions file on disk: SQLite in WAL mode, checked when opened, set aside when damaged.

A damaged file (a garbage header, a truncated file, a file emptied to 0 bytes) must not take the
app down, nor be overwritten: it is renamed to `<name>.damaged-<timestamp>` (with its `-wal` and
`-shm` companions), a warning names it, and the app starts with a fresh file. What to do with the
old one (restore it, salvage it with `sqlite3 .recover`, delete it) is the operator's decision.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another process's transaction to end
_COMPANIONS = ("-wal", "-shm")  # SQLite's files beside the database in WAL mode


class SessionFileDamaged(RuntimeError):
    """The sessions file is not a sound SQLite database."""


def open_sessions_file(path: Path) -> tuple[sqlite3.Connection, Path | None]:
    """A connection to the sessions file (created when missing), in WAL mode with
    `synchronous=NORMAL`: a power cut may lose the last turns, never the file.

    Returns:
        (connection, where a damaged file was set aside, or None when the file was sound).
    """
    problem = file_problem(path, thorough=False)
    aside = None
    if problem is not None:
        aside = set_aside(path)
        log.warning(
            "the sessions file %s is damaged (%s): it was moved to %s and the app starts with "
            "no saved sessions; inspect or restore that file, then restart (see `convrec "
            "sessions check`)",
            path,
            problem,
            aside,
        )
    return _connect(path), aside


def file_problem(path: Path, thorough: bool = True) -> str | None:
    """What is wrong with the sessions file, or None when it is sound or absent.

    Args:
        thorough: run `PRAGMA integrity_check` (every page and index) rather than the faster
            `quick_check` that is run whenever the app opens the file.
    """
    path = Path(path)
    if not path.exists():
        return None
    if path.stat().st_size == 0:
        # SQLite would read this as an empty database: every session silently gone. A file the
        # store created always holds at least its header, so 0 bytes means it was truncated.
        return "the file is empty (0 bytes); a sessions file always holds at least its header"
    connection = None
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        pragma = "integrity_check" if thorough else "quick_check"
        rows = [row[0] for row in connection.execute(f"PRAGMA {pragma}").fetchall()]
    except sqlite3.DatabaseError as exc:  # "file is not a database", "... is malformed"
        return str(exc)
    finally:
        if connection is not None:
            connection.close()
    if rows != ["ok"]:
        return "; ".join(rows[:5]) + (
            f" (and {len(rows) - 5} more problems)" if len(rows) > 5 else ""
        )
    return None


def set_aside(path: Path) -> Path:
    """Rename the file (and its WAL companions) to `<name>.damaged-<timestamp>[-n]`."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for suffix in ("", *_COMPANIONS):
        source = Path(f"{path}{suffix}")
        try:
            source.rename(f"{aside}{suffix}")
        except FileNotFoundError:  # no such companion, or another process moved it first
            pass
    return aside


def damaged_copies(path: Path) -> list[Path]:
    """Files set aside earlier beside `path`, oldest first."""
    found = Path(path).parent.glob(f"{Path(path).name}.damaged-*")
    return sorted(p for p in found if not p.name.endswith(_COMPANIONS))


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in the store).
    connection = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
    )
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:  # damaged between the check and now: say which file
        connection.close()
        raise SessionFileDamaged(f"cannot open the sessions file {path}: {exc}") from exc
    return connection
