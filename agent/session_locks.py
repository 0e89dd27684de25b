"""One lock per session, so the turns of one session run one after the other in a process.

Two button presses at once would otherwise both load the same state and the later save would
drop the earlier press. Across processes sharing a sessions file the store's version check does
the same job (`SessionStore.save(..., version)`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

WAIT_S = 120.0  # longer than any turn (the language model times out after 30 s by default)


class SessionLocks:
    def __init__(self, wait_s: float = WAIT_S) -> None:
        self.wait_s = wait_s
        self._guard = threading.Lock()
        # Only sessions with a turn running (or waiting) hold a lock: the table stays small.
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = (
            weakref.WeakValueDictionary()
        )

    @contextmanager
    def hold(self, session_id: str) -> Iterator[bool]:
        """Hold the session's lock for the block; yields False (holding nothing) when another
        turn kept it for longer than `wait_s`.

        A plain Lock, not an RLock: a streamed turn is resumed by whichever worker thread the
        UI uses next, and that thread releases it.
        """
        with self._guard:
            lock = self._locks.get(session_id)
            if lock is None:
                lock = threading.Lock()
                self._locks[session_id] = lock
        acquired = lock.acquire(timeout=self.wait_s)
        try:
            yield acquired
        finally:
            if acquired:
                lock.release()
