"""Sessions on disk (SQLite), so a restart or a crash loses no conversation."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from agent.schema import DialogueState, Event, Turn

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL, at REAL NOT NULL, message TEXT NOT NULL, turn TEXT NOT NULL,
    event TEXT);
CREATE INDEX IF NOT EXISTS turns_by_session ON turns (session_id, at);
"""
_LEGACY_FEEDBACK = ("like", "dislike", "seen")


class SessionStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one writer at a time; SQLite serialises anyway
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(turns)")}
        if "event" not in columns:  # a sessions file written before events were typed
            self._db.execute("ALTER TABLE turns ADD COLUMN event TEXT")

    def load(self, session_id: str) -> DialogueState | None:
        with self._lock:
            row = self._db.execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return DialogueState.model_validate_json(row[0]) if row else None

    def save(self, session_id: str, event: Event, turn: Turn) -> None:
        """Store the new state and the turn together: both or neither."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.execute(
                    "INSERT INTO sessions (id, state, updated) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated = excluded.updated",
                    (session_id, turn.state.model_dump_json(), now),
                )
                self._db.execute(
                    "INSERT INTO turns (session_id, at, message, turn, event) VALUES (?, ?, ?, ?, ?)",
                    (session_id, now, event.text, turn.model_dump_json(), event.model_dump_json()),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def history(self, session_id: str) -> list[tuple[Event, Turn]]:
        """(what the user did, the agent's turn) pairs, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT message, event, turn FROM turns WHERE session_id = ? ORDER BY at",
                (session_id,),
            ).fetchall()
        return [(_event(message, event), Turn.model_validate_json(turn))
                for message, event, turn in rows]

    def close(self) -> None:
        self._db.close()


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
