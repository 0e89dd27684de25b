"""The catalog as arrays, built once and updated for each catalog change: the nearest-neighbour
search (exact below 100k items; above, a sketch ranks first and the best rows are rescored
exactly).

A filtered Chroma query costs 46-72 ms at 6.5k items and grows with the catalog (the metadata
filter is evaluated in SQLite and the allowed ids handed to the vector index), while a matrix
product over every unit vector takes about 5 ms at 6.5k (at 1M a float16 first pass and float32
rescoring, `retrieval.vector_scan`). So retrieval ranks the whole catalog with one product,
and the filters Chroma evaluated (`retrieval.index._where`: genres, years) are boolean masks over
per-item arrays, made once and extended for the items each change touches (`updated`). What
Chroma never evaluated (excluded words, attribute limits) is still checked item by item in
Python, but only on the best-scoring rows, as many as needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from retrieval.overlay import Prefix, changed
from retrieval.popularity import PopularityScale, log_popularity
from retrieval.schema import Candidate, Item, ItemFilter
from retrieval.vector_scan import VectorScan

if TYPE_CHECKING:
    import numpy as np

NO_YEAR = -1  # in `years`: an item without a year, which no year limit accepts
FIRST_LOOK = 4  # rows looked at first, per candidate asked for, when Python checks remain


class ItemArrays:
    """Ids, unit vectors, years and genres of one catalog version, row-aligned."""

    def __init__(self, items: Mapping[str, Item], ids: list[str], matrix: np.ndarray) -> None:
        """Args:
        items: the catalog by id (the rows' items).
        ids: the row order; every id is in `items` (kept: later versions append to it).
        matrix: unit vectors, shape (len(ids), dim), float32.
        """
        import numpy as np

        self.items = items
        # by row; a row ruled out by `updated` keeps the id it had
        self.ids: Prefix[str] = Prefix(ids)
        # live rows only; later versions lay their changes over it (`retrieval.overlay`)
        self.row: Mapping[str, int] = {id_: n for n, id_ in enumerate(ids)}
        self.scan = VectorScan(matrix)
        self.years = np.asarray([_year(items[i]) for i in ids], dtype="int32")
        # the popularity prior's input, for order and scale without a pass over the items
        self.log_pop = np.asarray([log_popularity(items[i]) for i in ids], dtype="float64")
        rows: dict[str, list[int]] = defaultdict(list)
        for n, id_ in enumerate(ids):
            for genre in items[id_].genres:
                rows[genre].append(n)
        # genre -> the rows that have it: compact for catalogs with hundreds of genres
        self.genre_rows = {g: np.asarray(r, dtype="int64") for g, r in rows.items()}
        # the catalog's own popularity scale (the ranker's prior, the popular order)
        self.popularity_scale = PopularityScale.of_logs(self.log_pop)

    @property
    def matrix(self) -> np.ndarray:
        """Every row's unit vector (rows ruled out included)."""
        return self.scan.matrix

    def __len__(self) -> int:
        return len(self.row)

    @property
    def alive(self) -> np.ndarray | None:
        """False for rows ruled out by `updated`; None when every row is live."""
        return self.scan.alive

    def live(self, values: np.ndarray) -> np.ndarray:
        """The entries of a per-row array that belong to live rows."""
        return values if self.alive is None else values[self.alive]

    def updated(
        self, items: Mapping[str, Item], touched: set[str], vectors: dict[str, np.ndarray]
    ) -> ItemArrays:
        """The arrays of the catalog `items` when only the `touched` ids changed since this
        version: their old rows are ruled out and those still in the catalog appended with
        their new vectors (`vectors`; an item without one is not searchable, as in a full
        build). Seconds faster than a full build at 1M items; this object is unchanged.
        When ruled-out rows pile up (a quarter of all rows), the copy is compacted instead.
        """
        import copy

        import numpy as np

        fresh = sorted(i for i in touched if i in items and i in vectors)  # a stable row order
        dropped = [self.row[i] for i in touched if i in self.row]
        if self.scan.dead + len(dropped) > len(self.ids) // 4:
            kept = [(i, n) for i, n in self.row.items() if i not in touched]  # in row order
            matrix = self.matrix[[n for _, n in kept]]
            if fresh:
                matrix = np.concatenate([matrix, np.stack([vectors[i] for i in fresh])])
            return ItemArrays(items, [i for i, _ in kept] + fresh, matrix)
        arrays = copy.copy(self)
        arrays.items = items
        start = len(self.ids)
        # No copy of the ids or the row map: at 1M items each copy took 25-160 ms of the turn
        arrays.ids = self.ids.extended(fresh)
        arrays.row = changed(self.row, {i: start + k for k, i in enumerate(fresh)}, touched)
        appended = np.zeros((len(fresh), self.matrix.shape[1]), dtype="float32")
        for k, id_ in enumerate(fresh):
            appended[k] = vectors[id_]
        arrays.scan = self.scan.updated(dropped, appended)
        arrays.years = np.concatenate(
            [self.years, np.asarray([_year(items[i]) for i in fresh], dtype="int32")]
        )
        arrays.log_pop = np.concatenate(
            [self.log_pop, np.asarray([log_popularity(items[i]) for i in fresh], dtype="float64")]
        )
        added: dict[str, list[int]] = defaultdict(list)
        for k, id_ in enumerate(fresh):
            for genre in items[id_].genres:
                added[genre].append(start + k)
        arrays.genre_rows = dict(self.genre_rows)
        for genre, rows in added.items():
            before = self.genre_rows.get(genre, np.zeros(0, dtype="int64"))
            arrays.genre_rows[genre] = np.concatenate([before, np.asarray(rows, dtype="int64")])
        arrays.popularity_scale = PopularityScale.of_logs(arrays.live(arrays.log_pop))
        return arrays

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
        if k <= 0 or not self.row:
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


def _year(item: Item) -> int:
    return NO_YEAR if item.year is None else item.year
