"""Sessions in PostgreSQL (`CONVREC_SESSIONS=postgresql://user@host/db`): one store shared by
several worker processes, on one machine or many.

Same rows and same meaning as the SQLite file (`agent.session_store`); states and turns are kept
as the JSON text pydantic wrote (TEXT, not JSONB), so a state that no longer loads is still there
to report and recover from exactly as in SQLite. A save locks its session's row (`SELECT ... FOR
UPDATE`) and checks the version inside that transaction: of two workers saving turns of one
session at once, the second waits, sees the new version and is refused (the agent recomputes its
turn), so no update is lost. Turns are ordered by their serial number, not their time: workers on
several machines share no clock, while one session's serial numbers follow its saves (each taken
under the row lock). The tables are created on first use, under an advisory lock (two workers
starting at once on an empty database would otherwise race on `CREATE TABLE`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from agent.schema import Event, Turn
from agent.session_store import (
    RECOVERY_TURNS,
    Encoded,
    SessionBackend,
    SessionStoreUnavailable,
    Snapshot,
    UndoStep,
    encoded,
    is_stale,
    next_undo_stack,
    read_history,
    read_snapshot,
)

if TYPE_CHECKING:
    import psycopg

URL_SCHEMES = ("postgresql://", "postgres://")
TABLES = ("sessions", "turns")
CONNECT_TIMEOUT_S = 10  # unless the URL sets connect_timeout
POOL_SIZE = 8  # connections one process keeps at most; more threads wait for a free one
POOL_WAIT_S = 30.0  # how long a thread waits for a free connection before giving up
_SCHEMA_LOCK = 0x636F6E7672656300  # advisory lock key ("convrec\0") held while creating tables
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, updated DOUBLE PRECISION NOT NULL,
    version INTEGER NOT NULL DEFAULT 1, previous TEXT, undo TEXT);
CREATE TABLE IF NOT EXISTS turns (
    n BIGSERIAL PRIMARY KEY, session_id TEXT NOT NULL, at DOUBLE PRECISION NOT NULL,
    message TEXT NOT NULL, turn TEXT NOT NULL, event TEXT);
CREATE INDEX IF NOT EXISTS turns_by_session ON turns (session_id, n);
CREATE INDEX IF NOT EXISTS sessions_by_updated ON sessions (updated);
"""


class PostgresSessionStore(SessionBackend):
    """The sessions of one process in a PostgreSQL database; its threads share a small pool of
    connections, and other processes share the database.

    Args:
        url: `postgresql://user:password@host:port/dbname` (any libpq URL or its parameters).
        pool_size: connections kept open at most.

    Raises:
        SessionStoreUnavailable: the server cannot be reached or refuses the login; the message
            names the host and database, never the password.
    """

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        _driver()  # the install hint, before anything else fails
        self.where = describe(url)
        self._pool = _Pool(lambda: _connect(url, self.where), pool_size, self.where)
        self._create_tables()

    def _create_tables(self) -> None:
        with self._pool.connection() as db:
            if _missing_tables(db):  # no CREATE at all once they exist: needs no privilege
                with db.transaction():
                    db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                    for statement in filter(str.strip, _SCHEMA.split(";")):
                        db.execute(statement)

    def snapshot(self, session_id: str) -> Snapshot:
        with self._pool.connection() as db:
            row = db.execute(
                "SELECT state, version, previous, undo FROM sessions WHERE id = %s", (session_id,)
            ).fetchone()
        return read_snapshot(session_id, row, lambda: self._recent_turns(session_id))

    def _recent_turns(self, session_id: str) -> list[str]:
        with self._pool.connection() as db:
            rows = db.execute(
                "SELECT turn FROM turns WHERE session_id = %s ORDER BY n DESC LIMIT %s",
                (session_id, RECOVERY_TURNS),
            ).fetchall()
        return [turn for (turn,) in rows]

    def save(
        self,
        session_id: str,
        event: Event,
        turn: Turn,
        version: int | None = None,
        undo: UndoStep = "keep",
    ) -> bool:
        row = encoded(event, turn)
        with self._pool.connection() as db, db.transaction():
            return _write(db, session_id, row, version, undo)

    def history(self, session_id: str) -> list[tuple[Event, Turn]]:
        with self._pool.connection() as db:
            rows = db.execute(
                "SELECT message, event, turn FROM turns WHERE session_id = %s ORDER BY n",
                (session_id,),
            ).fetchall()
        return read_history(rows)

    def delete(self, session_id: str) -> bool:
        return self._delete("WHERE id = %s", (session_id,)) > 0

    def prune(self, older_than_s: float) -> int:
        return self._delete("WHERE updated < %s", (time.time() - older_than_s,))

    def _delete(self, where: str, values: tuple) -> int:
        # A session a save holds (FOR UPDATE) is deleted after that save, if it still matches.
        with self._pool.connection() as db, db.transaction():
            gone = [r[0] for r in db.execute(f"DELETE FROM sessions {where} RETURNING id", values)]
            db.execute("DELETE FROM turns WHERE session_id = ANY(%s)", (gone,))
        return len(gone)

    def close(self) -> None:
        self._pool.close()


def _write(
    db: psycopg.Connection, session_id: str, row: Encoded, version: int | None, undo: UndoStep
) -> bool:
    """The save's statements, inside its transaction."""
    now = time.time()
    select = "SELECT version, state, undo, previous FROM sessions WHERE id = %s FOR UPDATE"
    found = db.execute(select, (session_id,)).fetchone()
    if is_stale(found, version):
        return False
    stack = next_undo_stack(found, undo)
    if found:
        db.execute(
            "UPDATE sessions SET previous = state, state = %s, updated = %s, "
            "version = version + 1, undo = %s WHERE id = %s",
            (row.state, now, stack, session_id),
        )
    else:
        created = db.execute(
            "INSERT INTO sessions (id, state, updated, version, undo) VALUES (%s, %s, %s, 1, %s) "
            "ON CONFLICT (id) DO NOTHING",
            (session_id, row.state, now, stack),
        ).rowcount
        if not created:  # another process created the session since the SELECT: no row lock
            if version is not None:  # was possible, and this turn was computed from version 0
                return False
            return _write(db, session_id, row, version, undo)  # now the row is there to lock
    db.execute(
        "INSERT INTO turns (session_id, at, message, turn, event) VALUES (%s, %s, %s, %s, %s)",
        (session_id, now, row.message, row.turn, row.event),
    )
    return True


def describe(url: str) -> str:
    """The URL without its password (and without other parameters), for messages.

    Raises:
        ValueError: not a postgresql:// URL, or one libpq cannot read.
    """
    if not url.startswith(URL_SCHEMES):
        raise ValueError(
            "CONVREC_SESSIONS must be a postgresql://user@host/dbname URL (or unset for the "
            f"SQLite file), not one starting {url.split('://')[0]!r}"
        )
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except _driver().ProgrammingError as exc:
        raise ValueError(f"CONVREC_SESSIONS is not a valid PostgreSQL URL: {exc}") from None
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = parts.get("host") or "the local socket"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname', '')}"


def database_problem(url: str) -> str | None:
    """What keeps the sessions database from being used, or None: the server answers and holds
    both tables. Creates nothing (for `convrec sessions check`)."""
    where = describe(url)
    try:
        db = _connect(url, where)
    except SessionStoreUnavailable as exc:
        return str(exc)
    with db:
        missing = _missing_tables(db)
    if missing:
        return (
            f"{where} has no {' and no '.join(missing)} table (they are created when the app "
            "first opens the database)"
        )
    return None


def _missing_tables(db: psycopg.Connection) -> list[str]:
    found = db.execute("SELECT to_regclass(%s), to_regclass(%s)", TABLES).fetchone()
    return [table for table, oid in zip(TABLES, found) if oid is None]


def _connect(url: str, where: str) -> psycopg.Connection:
    """A new connection in autocommit mode (writes open their own transactions).

    Raises:
        SessionStoreUnavailable: naming the server; libpq's reason, with any password removed.
    """
    psycopg = _driver()
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(url)
    timeout = {} if "connect_timeout" in parts else {"connect_timeout": CONNECT_TIMEOUT_S}
    try:
        return psycopg.connect(url, autocommit=True, application_name="convrec", **timeout)
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        if parts.get("password"):
            reason = reason.replace(parts["password"], "***")
        # `from None`: the driver's own exception would print its text a second time.
        raise SessionStoreUnavailable(
            f"cannot connect to the sessions database {where}: {reason}"
        ) from None


def _driver():
    try:
        import psycopg
    except ImportError as exc:
        raise ModuleNotFoundError(
            "sessions in PostgreSQL need the psycopg driver: pip install 'convrec[service]'"
        ) from exc
    return psycopg


class _Pool:
    """Connections for the threads of one process: a call takes one, uses it alone and gives it
    back; at most `size` are open and a call waits for a free one. A connection that broke (the
    server restarted) is dropped, and the next call opens a new one."""

    def __init__(self, connect: Callable[[], psycopg.Connection], size: int, where: str) -> None:
        self._connect = connect
        self._where = where
        self._size = size
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()  # guards _idle and _closed
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A connection for this thread alone, until the block ends.

        Raises:
            SessionStoreUnavailable: no connection could be opened or got free in time, or the
                connection failed in the block.
        """
        psycopg = _driver()
        if not self._slots.acquire(timeout=POOL_WAIT_S):
            raise SessionStoreUnavailable(
                f"all {self._size} connections to {self._where} stayed busy for {POOL_WAIT_S} s"
            )
        try:
            db = self._take()
            try:
                yield db
            except psycopg.OperationalError as exc:
                raise SessionStoreUnavailable(
                    f"the sessions database {self._where} failed: {' '.join(str(exc).split())}"
                ) from exc
            finally:
                self._give_back(db)
        finally:
            self._slots.release()

    def _take(self) -> psycopg.Connection:
        with self._lock:
            if self._closed:
                raise SessionStoreUnavailable(f"the session store of {self._where} was closed")
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _give_back(self, db: psycopg.Connection) -> None:
        from psycopg.pq import TransactionStatus

        usable = not db.closed and db.info.transaction_status == TransactionStatus.IDLE
        with self._lock:
            if usable and not self._closed:
                self._idle.append(db)
                return
        db.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()
