"""The in-memory copy of the index that every part reads: items by id and their unit vectors.

Chroma answers a filtered nearest-neighbour query well, but reading one item's vector from it
costs a round trip; the ranker and the explainer read hundreds per turn. This copy is filled
once and refreshed when the index changes, which is the one place where staleness is decided:
every cache elsewhere keys on `version`, which also changes when another process (`convrec
index`) writes to the same folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from retrieval.index import ItemIndex
    from retrieval.schema import Item


class ItemMemory:
    """Items and unit vectors of an `ItemIndex`, kept in memory and in step with it."""

    def __init__(self, index: ItemIndex) -> None:
        self.index = index
        self._vectors: dict[str, np.ndarray] | None = None
        self._version = index.version  # the index version the vectors were read for

    @property
    def version(self) -> int:
        """Changes whenever items were added, changed or deleted (by any process); caches built
        on the items key on it."""
        return self.index.version

    def items(self) -> dict[str, Item]:
        return self.index.items()

    def vectors(self, ids: list[str]) -> np.ndarray:
        """Unit item vectors, shape (len(ids), dim)."""
        import numpy as np

        version = self.index.version
        if self._vectors is None or self._version != version:
            self._version = version
            self._vectors = self.index.all_embeddings()
        missing = [i for i in dict.fromkeys(ids) if i not in self._vectors]
        if missing:  # written by another process since the copy was read, not yet announced
            self._vectors.update(self.index.stored_embeddings(missing))
        # An item deleted from the catalog (still liked in an old session) says nothing about
        # taste: a zero vector, which no similarity or mean picks up.
        zero = np.zeros_like(next(iter(self._vectors.values()), np.zeros(0, dtype="float32")))
        return np.asarray([self._vectors.get(i, zero) for i in ids], dtype="float32")
