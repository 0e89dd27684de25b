"""The in-memory copy of the index that every part reads: items by id and their unit vectors.

Chroma answers a filtered nearest-neighbour query, but its cost grows with the catalog (46-72 ms
at 6.5k items) and reading one item's vector from it costs a round trip; the ranker and the
explainer read hundreds per turn. This copy holds the vectors as one float32 matrix with the
catalog's genres and years beside it (`retrieval.item_arrays`), read once and updated with the
items each change touched (read again in full only when that is not known), which is the one
place where staleness is decided: every cache elsewhere keys on `version`, which also changes
when another process (`convrec index`) writes to the same folder.
Retrieval searches it with a matrix product (`retrieval.vector_scan`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from retrieval.free_memory import return_free_memory
from retrieval.item_arrays import ItemArrays

if TYPE_CHECKING:
    import numpy as np

    from retrieval.index import ItemIndex
    from retrieval.schema import Candidate, Item, ItemFilter


class ItemMemory:
    """Items and unit vectors of an `ItemIndex`, kept in memory and in step with it."""

    def __init__(self, index: ItemIndex) -> None:
        self.index = index
        self._arrays: ItemArrays | None = None
        self._version = -1  # the index version `_arrays` was read for
        # vectors of items written by another process and not announced yet (read one by one)
        self._late: dict[str, np.ndarray] = {}

    @property
    def version(self) -> int:
        """Changes whenever items were added, changed or deleted (by any process); caches built
        on the items key on it."""
        return self.index.version

    def items(self) -> Mapping[str, Item]:
        return self.index.items()

    def arrays(self) -> ItemArrays:
        """The catalog's vectors, genres and years as arrays, for the current version."""
        version = self.index.version
        if self._arrays is None or self._version != version:
            items = self.index.items()
            touched = None if self._arrays is None else self.index.changed_since(self._version)
            if self._arrays is None or self.index.should_reread(touched, len(self._arrays)):
                arrays = ItemArrays(items, *self.index.all_embeddings(list(items)))
                return_free_memory()  # the read's page buffers
            else:
                vectors = self.index.stored_embeddings([i for i in touched if i in items])
                arrays = self._arrays.updated(items, touched, vectors)
            self._arrays, self._version, self._late = arrays, version, {}
        return self._arrays

    def search(self, vector: np.ndarray, k: int, filter: ItemFilter) -> list[Candidate]:
        """The k items nearest to the unit `vector` that pass the filter, best first."""
        return self.arrays().search(vector, k, filter)

    def vectors(self, ids: list[str]) -> np.ndarray:
        """Unit item vectors, shape (len(ids), dim)."""
        import numpy as np

        arrays = self.arrays()
        rows = [arrays.row.get(i) for i in ids]
        missing = [i for i, r in zip(ids, rows, strict=True) if r is None and i not in self._late]
        if missing:  # written by another process since the copy was read, not yet announced
            self._late.update(self.index.stored_embeddings(list(dict.fromkeys(missing))))
        if not len(arrays):
            return np.zeros((len(ids), arrays.matrix.shape[-1]), dtype="float32")
        out = arrays.matrix[[0 if r is None else r for r in rows]]  # a copy
        for n, (id_, row) in enumerate(zip(ids, rows, strict=True)):
            if row is None:
                # An item deleted from the catalog (still liked in an old session) says nothing
                # about taste: a zero vector, which no similarity or mean picks up.
                out[n] = self._late.get(id_, 0.0)
        return out
