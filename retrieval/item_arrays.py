"""The catalog as arrays, built once per index version: the nearest-neighbour search (exact
below 100k items; above, a sketch ranks first and the best rows are rescored exactly).

A filtered Chroma query costs 46-72 ms at 6.5k items and grows with the catalog (the metadata
filter is evaluated in SQLite and the allowed ids handed to the vector index), while a matrix
product over every unit vector takes about 5 ms at 6.5k (at 1M a float16 first pass and float32
rescoring, `retrieval.vector_scan`). So retrieval ranks the whole catalog with one product,
and the filters Chroma evaluated (`retrieval.index._where`: genres, years) are boolean masks over
per-item arrays, made once per catalog version. What Chroma never evaluated (excluded words, attribute limits) is still checked
item by item in Python, but only on the best-scoring rows, as many as needed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from retrieval.schema import Candidate, Item, ItemFilter
from retrieval.vector_scan import VectorScan

if TYPE_CHECKING:
    import numpy as np

NO_YEAR = -1  # in `years`: an item without a year, which no year limit accepts
FIRST_LOOK = 4  # rows looked at first, per candidate asked for, when Python checks remain


class ItemArrays:
    """Ids, unit vectors, years and genres of one catalog version, row-aligned."""

    def __init__(self, items: dict[str, Item], ids: list[str], matrix: np.ndarray) -> None:
        """Args:
        items: the catalog by id (the rows' items).
        ids: the row order; every id is in `items`.
        matrix: unit vectors, shape (len(ids), dim), float32.
        """
        import numpy as np

        self.items = items
        self.ids = ids
        self.row = {id_: n for n, id_ in enumerate(ids)}
        self.matrix = matrix
        self.scan = VectorScan(matrix)
        self.years = np.asarray(
            [NO_YEAR if items[i].year is None else items[i].year for i in ids], dtype="int32"
        )
        rows: dict[str, list[int]] = defaultdict(list)
        for n, id_ in enumerate(ids):
            for genre in items[id_].genres:
                rows[genre].append(n)
        # genre -> the rows that have it: compact for catalogs with hundreds of genres
        self.genre_rows = {g: np.asarray(r, dtype="int64") for g, r in rows.items()}

    def __len__(self) -> int:
        return len(self.ids)

    def mask(self, filter: ItemFilter) -> np.ndarray | None:
        """Rows that pass the filter's genres, years and excluded ids (as Chroma's `where`
        did, and `ItemFilter.accepts`); None when nothing is excluded."""
        import numpy as np

        n = len(self.ids)
        keep: np.ndarray | None = None
        if filter.include_genres:
            keep = np.zeros(n, dtype=bool)
            for genre in filter.include_genres:
                keep[self.genre_rows.get(genre, [])] = True
        for genre in filter.exclude_genres:
            if genre in self.genre_rows:
                keep = np.ones(n, dtype=bool) if keep is None else keep
                keep[self.genre_rows[genre]] = False
        if filter.year_min is not None or filter.year_max is not None:
            keep = np.ones(n, dtype=bool) if keep is None else keep
            keep &= self.years != NO_YEAR
            if filter.year_min is not None:
                keep &= self.years >= filter.year_min
            if filter.year_max is not None:
                keep &= self.years <= filter.year_max
        excluded = [self.row[i] for i in filter.exclude_ids if i in self.row]
        if excluded:
            keep = np.ones(n, dtype=bool) if keep is None else keep
            keep[excluded] = False
        return keep

    def search(self, vector: np.ndarray, k: int, filter: ItemFilter) -> list[Candidate]:
        """The k items nearest to the unit `vector` that pass the filter, best first, with
        their cosine as score (every row is compared; see `retrieval.vector_scan`)."""
        if k <= 0 or not self.ids:
            return []
        scores = self.scan.score(vector, self.mask(filter))
        texts, limited = bool(filter.exclude_text_terms), not filter.limits.is_empty()
        look = k * FIRST_LOOK if texts or limited else k
        found: list[Candidate] = []
        seen: set[int] = set()  # rows already looked at (a longer look repeats the best ones)
        while len(found) < k and len(seen) < len(self.ids):
            rows, values = scores.best(min(look, len(self.ids)))
            for n, score in zip(rows.tolist(), values.tolist(), strict=True):
                if n in seen:
                    continue
                seen.add(n)
                item = self.items[self.ids[n]]
                if (texts and filter.text_match(item)) or (
                    limited and not filter.limits.accepts(item)
                ):
                    continue
                found.append(Candidate(item=item, score=score, retrieval_score=score))
                if len(found) == k:
                    return found
            if len(rows) < look:  # every row that passed the filter was looked at
                return found
            look *= 4
        return found
