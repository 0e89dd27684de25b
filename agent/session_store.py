"""Sessions on disk (SQLite), so a restart or a crash loses no conversation.

One row per session holds its current state (and the one before, to fall back on); the turns
table holds what happened, each turn without its state (a full copy per turn made the file grow
with the square of a session's length). Several processes may share one file: a save only
succeeds on the version it was computed from (`Snapshot.version`), else the caller recomputes.
"""

from __future__ import annotations

import json
import logging
import threading
import time
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
_RECOVERY_TURNS = 50  # stored turns searched for a state when both saved states are unusable


class InvalidState(ValueError):
    """A state that would not load back; it is never stored."""


@dataclass
class Snapshot:
    """A session's state as loaded, and what a save of a turn computed from it must match."""

    state: DialogueState
    version: int = 0  # 0: nothing stored yet
    recovered: str | None = None  # the stored state was unusable: why, and what replaced it
    before: DialogueState | None = None  # the state the latest undoable change replaced


UndoStep = Literal["push", "pop", "keep"]  # what a save does to the session's undo stack


class SessionStore:
    """The sessions file of one process (threads share it). `set_aside` is where a damaged file
    found on opening was moved (None when the file was sound), for callers that report it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one statement at a time on the shared connection
        self._db, self.set_aside = open_sessions_file(self.path)  # set_aside: a damaged file
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

    def load(self, session_id: str) -> DialogueState | None:
        """The session's state; None for an unknown session."""
        snapshot = self.snapshot(session_id)
        return snapshot.state if snapshot.version else None

    def snapshot(self, session_id: str) -> Snapshot:
        """The session's state and version (a fresh state, version 0, for an unknown session).
        A stored state that does not load is replaced by the last good one (the state before
        the latest turn, else one kept in an older turn, else a fresh one) and reported."""
        with self._lock:
            row = self._db.execute(
                "SELECT state, version, previous, undo FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
        if row is None:
            return Snapshot(DialogueState())
        stored, version, previous, undo = row
        before = _top(_stack(undo, previous))
        try:
            return Snapshot(DialogueState.model_validate_json(stored), version, before=before)
        except ValidationError as exc:
            state, source = self._last_good(session_id, previous)
            note = f"the stored state did not load ({_first_error(exc)}); using {source}"
            log.warning("session %s: %s", session_id, note)
            return Snapshot(state, version, recovered=note, before=before)

    def _last_good(self, session_id: str, previous: str | None) -> tuple[DialogueState, str]:
        if previous:
            try:
                return DialogueState.model_validate_json(previous), "the state before the last turn"
            except ValidationError:
                pass
        with self._lock:  # files written before states were kept once per session
            rows = self._db.execute(
                "SELECT turn FROM turns WHERE session_id = ? ORDER BY at DESC, rowid DESC LIMIT ?",
                (session_id, _RECOVERY_TURNS),
            ).fetchall()
        for (turn,) in rows:
            try:
                return Turn.model_validate_json(turn).state, "the state kept with an earlier turn"
            except ValidationError:
                continue
        return DialogueState(), "a fresh state"

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
        state = _checked(turn.state)
        row = (_slim(turn).model_dump_json(), event.model_dump_json())
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # the version check and the write, atomically
            try:
                saved = self._write(session_id, event.text, state, row, version, undo)
                self._db.execute("COMMIT" if saved else "ROLLBACK")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return saved

    def _write(
        self,
        session_id: str,
        message: str,
        state: str,
        row: tuple[str, str],
        version: int | None,
        undo: UndoStep,
    ) -> bool:
        now = time.time()
        found = self._db.execute(
            "SELECT version, state, undo, previous FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if version is not None and (found[0] if found else 0) != version:
            return False
        old, stack = (
            (found[1], _stack(found[2], found[3]))
            if found
            else (DialogueState().model_dump_json(), [])
        )  # the first turn can be undone too
        if undo == "push":
            stack = (stack + [old])[-UNDO_DEPTH:]
        elif undo == "pop":
            stack = stack[:-1]
        if found:
            self._db.execute(
                "UPDATE sessions SET previous = state, state = ?, updated = ?, "
                "version = version + 1, undo = ? WHERE id = ?",
                (state, now, json.dumps(stack), session_id),
            )
        else:
            self._db.execute(
                "INSERT INTO sessions (id, state, updated, version, undo) VALUES (?, ?, ?, 1, ?)",
                (session_id, state, now, json.dumps(stack)),
            )
        self._db.execute(
            "INSERT INTO turns (session_id, at, message, turn, event) VALUES (?, ?, ?, ?, ?)",
            (session_id, now, message, *row),
        )
        return True

    def history(self, session_id: str) -> list[tuple[Event, Turn]]:
        """(what the user did, the agent's turn) pairs, oldest first. The turns carry only the
        diversity setting of their state (see `_slim`); `snapshot` has the whole state."""
        with self._lock:
            rows = self._db.execute(
                "SELECT message, event, turn FROM turns WHERE session_id = ? ORDER BY at, rowid",
                (session_id,),
            ).fetchall()
        pairs = [(_event(message, event), _stored_turn(turn)) for message, event, turn in rows]
        return [(event, turn) for event, turn in pairs if turn is not None]

    def delete(self, session_id: str) -> bool:
        """Remove a session and its turns. Returns whether there was one."""
        return self._delete("WHERE id = ?", (session_id,)) > 0

    def prune(self, older_than_s: float) -> int:
        """Remove the sessions no turn has touched for `older_than_s` seconds.

        Returns:
            How many sessions were removed.
        """
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
