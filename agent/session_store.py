"""Where sessions are kept, so a restart or a crash loses no conversation: the interface
(`SessionBackend`), what every backend shares, and the default backend, a SQLite file
(`SessionStore`). The PostgreSQL backend, for several worker processes on several machines, is
`agent.session_postgres.PostgresSessionStore`.

One row per session holds its current state (and the one before, to fall back on); the turns
table holds what happened, each turn without its state (a full copy per turn made the file grow
with the square of a session's length). Several processes may share one store: a save only
succeeds on the version it was computed from (`Snapshot.version`), else the caller recomputes.
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from agent.schema import DialogueState, Event, Turn
from agent.session_file import open_sessions_file

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL,
    version INTEGER NOT NULL DEFAULT 1, previous TEXT, undo TEXT);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL, at REAL NOT NULL, message TEXT NOT NULL, turn TEXT NOT NULL,
    event TEXT);
CREATE INDEX IF NOT EXISTS turns_by_session ON turns (session_id, at);
"""
# Columns later versions added, for files written before them (ALTER TABLE on open).
_ADDED_COLUMNS = {
    "turns": {"event": "TEXT"},
    "sessions": {
        "version": "INTEGER NOT NULL DEFAULT 1",
        "previous": "TEXT",  # 1: stored
        "undo": "TEXT",
    },  # NULL: a row written before undo existed
}
UNDO_DEPTH = 10  # states kept per session for undo, newest last
_LEGACY_FEEDBACK = ("like", "dislike", "seen")
RECOVERY_TURNS = 50  # stored turns searched for a state when both saved states are unusable


class InvalidState(ValueError):
    """A state that would not load back; it is never stored."""


class SessionStoreUnavailable(RuntimeError):
    """The sessions database cannot be reached or used (a server down, a wrong address)."""


@dataclass
class Snapshot:
    """A session's state as loaded, and what a save of a turn computed from it must match."""

    state: DialogueState
    version: int = 0  # 0: nothing stored yet
    recovered: str | None = None  # the stored state was unusable: why, and what replaced it
    before: DialogueState | None = None  # the state the latest undoable change replaced


UndoStep = Literal["push", "pop", "keep"]  # what a save does to the session's undo stack


class SessionBackend(ABC):
    """Where the sessions of one process are kept (threads share it). Every backend behaves the
    same for the same calls; they differ in where the rows live."""

    where: str = ""  # the file or the server, for messages (never a password)
    set_aside: Path | None = None  # a damaged file moved away on opening, for callers to report

    def load(self, session_id: str) -> DialogueState | None:
        """The session's state; None for an unknown session."""
        snapshot = self.snapshot(session_id)
        return snapshot.state if snapshot.version else None

    @abstractmethod
    def snapshot(self, session_id: str) -> Snapshot:
        """The session's state and version (a fresh state, version 0, for an unknown session).
        A stored state that does not load is replaced by the last good one (the state before
        the latest turn, else one kept in an older turn, else a fresh one) and reported."""

    @abstractmethod
    def save(
        self,
        session_id: str,
        event: Event,
        turn: Turn,
        version: int | None = None,
        undo: UndoStep = "keep",
    ) -> bool:
        """Store the new state and the turn together: both or neither.

        Args:
            version: the `Snapshot.version` the turn was computed from; None saves regardless.
            undo: "push": the turn is an undoable change (the state it replaces is kept, at
                most UNDO_DEPTH of them); "pop": the turn undid the latest change (it restored
                `Snapshot.before`); "keep": neither (a setting, a turn that changed nothing).

        Returns:
            False, storing nothing, when the session changed meanwhile (another process saved
            a turn): recompute the turn from a fresh snapshot.

        Raises:
            InvalidState: the state would not load back (it is not stored).
        """

    @abstractmethod
    def history(self, session_id: str) -> list[tuple[Event, Turn]]:
        """(what the user did, the agent's turn) pairs, oldest first. The turns carry only the
        diversity setting of their state (see `_slim`); `snapshot` has the whole state."""

    @abstractmethod
    def delete(self, session_id: str) -> bool:
        """Remove a session and its turns. Returns whether there was one."""

    @abstractmethod
    def prune(self, older_than_s: float) -> int:
        """Remove the sessions no turn has touched for `older_than_s` seconds.

        Returns:
            How many sessions were removed.
        """

    @abstractmethod
    def close(self) -> None:
        """Release the file or the connections; the store is not used afterwards."""


class SessionStore(SessionBackend):
    """The sessions file of one process (threads share it): SQLite in WAL mode. `set_aside` is
    where a damaged file found on opening was moved (None when the file was sound)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one statement at a time on the shared connection
        with _opening(self.path):
            self._db, self.set_aside = open_sessions_file(self.path)  # set_aside: damaged file
            self._db.executescript(_SCHEMA)
            self._migrate()

    def _migrate(self) -> None:
        """Add the columns a file written by an older version lacks."""
        self._db.execute("BEGIN IMMEDIATE")  # two processes opening an old file at once
        try:
            for table, added in _ADDED_COLUMNS.items():
                columns = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
                for name, kind in added.items():
                    if name not in columns:
                        self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def snapshot(self, session_id: str) -> Snapshot:
        with self._lock:
            row = self._db.execute(
                "SELECT state, version, previous, undo FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
        return read_snapshot(session_id, row, lambda: self._recent_turns(session_id))

    def _recent_turns(self, session_id: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT turn FROM turns WHERE session_id = ? ORDER BY at DESC, rowid DESC LIMIT ?",
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
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # the version check and the write, atomically
            try:
                saved = self._write(session_id, row, version, undo)
                self._db.execute("COMMIT" if saved else "ROLLBACK")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return saved

    def _write(self, session_id: str, row: Encoded, version: int | None, undo: UndoStep) -> bool:
        now = time.time()
        found = self._db.execute(
            "SELECT version, state, undo, previous FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if is_stale(found, version):
            return False
        stack = next_undo_stack(found, undo)
        if found:
            self._db.execute(
                "UPDATE sessions SET previous = state, state = ?, updated = ?, "
                "version = version + 1, undo = ? WHERE id = ?",
                (row.state, now, stack, session_id),
            )
        else:
            self._db.execute(
                "INSERT INTO sessions (id, state, updated, version, undo) VALUES (?, ?, ?, 1, ?)",
                (session_id, row.state, now, stack),
            )
        self._db.execute(
            "INSERT INTO turns (session_id, at, message, turn, event) VALUES (?, ?, ?, ?, ?)",
            (session_id, now, row.message, row.turn, row.event),
        )
        return True

    def history(self, session_id: str) -> list[tuple[Event, Turn]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT message, event, turn FROM turns WHERE session_id = ? ORDER BY at, rowid",
                (session_id,),
            ).fetchall()
        return read_history(rows)

    def delete(self, session_id: str) -> bool:
        return self._delete("WHERE id = ?", (session_id,)) > 0

    def prune(self, older_than_s: float) -> int:
        return self._delete("WHERE updated < ?", (time.time() - older_than_s,))

    def _delete(self, where: str, values: tuple) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                gone = [r[0] for r in self._db.execute(f"SELECT id FROM sessions {where}", values)]
                for session_id in gone:
                    self._db.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))
                    self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return len(gone)

    def close(self) -> None:
        with self._lock:
            self._db.close()


@contextmanager
def _opening(path: Path) -> Iterator[None]:
    """Holds `<file>.lock` while the file is checked, created and migrated. Two processes opening
    a new file at once otherwise collide: one reads the other's half-created file as empty (0
    bytes: "damaged") and sets it aside, or switching to WAL finds the file locked."""
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        yield


# -- what every backend shares: the rows' meaning, apart from the SQL that moves them -----------


@dataclass(frozen=True)
class Encoded:
    """A save's values as stored: the checked state, the slim turn and the event, as JSON."""

    state: str
    message: str  # the event's text, kept readable beside the JSON
    turn: str
    event: str


def encoded(event: Event, turn: Turn) -> Encoded:
    """The values a save stores.

    Raises:
        InvalidState: the state would not load back.
    """
    return Encoded(
        _checked(turn.state), event.text, _slim(turn).model_dump_json(), event.model_dump_json()
    )


def read_snapshot(
    session_id: str,
    row: tuple[str, int, str | None, str | None] | None,
    recent_turns: Callable[[], list[str]],
) -> Snapshot:
    """The snapshot of a stored (state, version, previous, undo) row, or of none.

    Args:
        recent_turns: the session's latest stored turns, newest first (at most RECOVERY_TURNS),
            read only when both stored states are unusable.
    """
    if row is None:
        return Snapshot(DialogueState())
    stored, version, previous, undo = row
    before = _top(_stack(undo, previous))
    try:
        return Snapshot(DialogueState.model_validate_json(stored), version, before=before)
    except ValidationError as exc:
        state, source = _last_good(previous, recent_turns)
        note = f"the stored state did not load ({_first_error(exc)}); using {source}"
        log.warning("session %s: %s", session_id, note)
        return Snapshot(state, version, recovered=note, before=before)


def _last_good(
    previous: str | None, recent_turns: Callable[[], list[str]]
) -> tuple[DialogueState, str]:
    if previous:
        try:
            return DialogueState.model_validate_json(previous), "the state before the last turn"
        except ValidationError:
            pass
    for turn in recent_turns():  # stores written before states were kept once per session
        try:
            return Turn.model_validate_json(turn).state, "the state kept with an earlier turn"
        except ValidationError:
            continue
    return DialogueState(), "a fresh state"


def is_stale(found: tuple | None, version: int | None) -> bool:
    """Whether a save computed from `version` must be refused, given the stored row (version,
    state, undo, previous) read inside the save's transaction."""
    return version is not None and (found[0] if found else 0) != version


def next_undo_stack(found: tuple | None, undo: UndoStep) -> str:
    """The undo stack (JSON) a save stores, from the stored row (version, state, undo,
    previous) it replaces."""
    old, stack = (
        (found[1], _stack(found[2], found[3])) if found else (DialogueState().model_dump_json(), [])
    )  # the first turn can be undone too
    if undo == "push":
        stack = (stack + [old])[-UNDO_DEPTH:]
    elif undo == "pop":
        stack = stack[:-1]
    return json.dumps(stack)


def read_history(rows: list[tuple[str, str | None, str]]) -> list[tuple[Event, Turn]]:
    """(event, turn) pairs of stored (message, event, turn) rows; unreadable turns left out."""
    pairs = [(_event(message, event), _stored_turn(turn)) for message, event, turn in rows]
    return [(event, turn) for event, turn in pairs if turn is not None]


def _checked(state: DialogueState) -> str:
    """The state as JSON, after checking it loads back (an assignment is not validated)."""
    try:
        text = state.model_dump_json()
        DialogueState.model_validate_json(text)
    except (ValidationError, PydanticSerializationError) as exc:
        raise InvalidState(f"refusing to store a state that would not load back: {exc}") from exc
    return text


def _stack(undo: str | None, previous: str | None) -> list[str]:
    """The stored states undo can go back to, oldest first. A row written before the stack
    existed offers its one previous state."""
    if undo is None:
        return [previous] if previous else []
    try:
        stack = json.loads(undo)
    except ValueError:
        log.warning("an unreadable undo stack was dropped")
        return []
    return [s for s in stack if isinstance(s, str)] if isinstance(stack, list) else []


def _top(stack: list[str]) -> DialogueState | None:
    """The state the latest undoable change replaced; None when there is none or it no longer
    loads (undo then says there is nothing to undo)."""
    if not stack:
        return None
    try:
        return DialogueState.model_validate_json(stack[-1])
    except ValidationError:
        return None


def _slim(turn: Turn) -> Turn:
    """The turn as the history keeps it: its state reduced to what a transcript shows (the
    diversity setting of the time), so a stored turn's size does not grow with the session."""
    return turn.model_copy(
        update={"state": DialogueState(diversity=turn.state.diversity, turns=turn.state.turns)}
    )


def _stored_turn(text: str) -> Turn | None:
    """A stored turn; one whose state no longer loads (written by an older version) keeps its
    reply and cards with a fresh state, and one that cannot be read at all is left out."""
    try:
        return Turn.model_validate_json(text)
    except ValidationError:
        pass
    try:
        values = json.loads(text)
        return Turn.model_validate({**values, "state": DialogueState().model_dump()})
    except (ValueError, TypeError) as exc:  # ValidationError is a ValueError
        log.warning("a stored turn cannot be read and is left out of the history: %s", exc)
        return None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "state"
    return f"{where}: {error['msg']}"


def _event(message: str, stored: str | None) -> Event:
    """The stored event; rows written before events were typed are read from their text."""
    if stored:
        return Event.model_validate_json(stored)
    if message.startswith("[diversity] "):
        return Event(kind="setting", setting="diversity", value=float(message.split()[1]))
    for reaction in _LEGACY_FEEDBACK:
        if message.startswith(f"[{reaction}] "):
            return Event(kind="feedback", reaction=reaction, text=message[len(reaction) + 3 :])
    return Event(kind="message", text=message)
