"""Which items each catalog change touched, so that in-memory copies update instead of reloading.

Every process keeps the catalog in memory several times over (the items, their vectors and
masks, the dialogue encoder's vectors, the linker's titles). Reading it all again after each
change costs minutes at a million items, while a change usually touches a handful. A store
(`retrieval.collection`, `retrieval.server_collection`) records here, for each generation it
moves to, the ids that change wrote or deleted, or None when it cannot know them (a bulk write, a
log that was reset, rows seen before their announcement). A copy made at generation g asks for
the ids touched since g: a set means "re-read these ids", None means "read everything again".
Re-reading an id twice is harmless, so a reader records the generation *before* it reads.
"""

from __future__ import annotations

import threading

KEEP = 1_000  # generations remembered; a copy older than that reads everything again


class ChangeJournal:
    """Generation -> the ids its change touched (None: unknown)."""

    def __init__(self) -> None:
        self.generation = 0
        self._touched: dict[int, frozenset[str] | None] = {}
        self._lock = threading.Lock()

    def record(self, ids: frozenset[str] | set[str] | None) -> int:
        """A change happened: the next generation (returned), which touched `ids`."""
        with self._lock:
            self.generation += 1
            self._touched[self.generation] = None if ids is None else frozenset(ids)
            self._touched.pop(self.generation - KEEP, None)
            return self.generation

    def touched_since(self, generation: int) -> set[str] | None:
        """Every id touched after `generation`; None when some change is unknown or forgotten."""
        with self._lock:
            if generation > self.generation or generation < self.generation - KEEP + 1:
                return None
            touched: set[str] = set()
            for g in range(generation + 1, self.generation + 1):
                ids = self._touched.get(g)
                if ids is None:
                    return None
                touched |= ids
            return touched
