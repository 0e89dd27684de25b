"""Best rows of a matrix of unit vectors for one query vector: the search both retrieval spaces
use (the index's item vectors, the dialogue encoder's item vectors).

One float32 matrix-vector product reads 4 bytes per dimension per row: about 60 ms at 1M items x
384 dimensions on two cores, twice per turn, which alone misses the 100 ms target for
recommendations-ready; the product is bound by memory bandwidth, so what matters is the bytes
read. Large matrices therefore keep a sketch beside the float32 rows: each row's coordinates on
the catalog's 128 principal directions, in float16 (a sixth of the bytes). The first pass scores
every row on the sketch (12-13 ms at 1M on this 2-core VM, against 23-27 ms for a float16 copy of
all 384 dimensions and 59 ms for numpy's float32, measured side by side), then 4x the rows asked
for (+64) are scored again exactly in float32, which gives the order and the scores callers see.
The sketch drops the directions the catalog barely varies along, so a true neighbour can rank
lower in the first pass than it should. Recall of the exact top 100 (`first_pass_recall` in
`benchmarks/catalog_scale.py`, 50 queries): 1.0 in both spaces at 1M synthetic items; 0.993
(index) and 0.959 (dialogue encoder) at 100k, where what is missed are near-identical copies of
one item (the synthetic catalog's make-up); on the real ReDial vectors 99.7% of the exact top 50
within 264 rows. 192 directions and 10x reach 1.0 at 100k but made a whole turn at 1M take 126 ms
instead of 77 ms (p50, the two interleaved in one process; exact float32: 164 ms). Small
matrices (below `SKETCH_FROM` rows) skip the sketch and rank exactly, in the order the rest of the
system has always seen (ties by row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SKETCH_FROM = 100_000  # rows: below this one float32 product takes a few ms and stays exact
SKETCH_DIMS = 128  # principal directions kept by the sketch
SKETCH_SAMPLE = 50_000  # rows the directions are estimated from (a fixed random sample)
FIRST_PASS = 4  # the sketch pass hands FIRST_PASS x m rows (+ MARGIN) to exact rescoring
MARGIN = 64
_CHUNK = 100_000  # rows projected at a time: no full-size temporary copy of the matrix
ROOM_FROM = 50_000  # rows from which a scan is copied at once into a buffer with room to grow


class VectorScan:
    """Top rows by dot product over a float32 matrix (one catalog version).

    A catalog change makes a new scan with `updated`: rows of replaced or deleted items are
    ruled out for good and new rows appended, without copying or re-sketching the others (at 1M
    items a fresh scan costs seconds). The scans share one growing buffer; each reads its own
    rows only, so a turn still holding the old scan is not disturbed.
    """

    def __init__(self, matrix: np.ndarray, sketch_from: int = SKETCH_FROM) -> None:
        """Args:
        matrix: unit vectors, shape (rows, dim), float32; kept, not copied, below ROOM_FROM
            rows; from there copied into a buffer with room, so that the first catalog change
            does not pay the copy in a turn (4 s at 1M rows, against 2 s here at start-up; the
            room costs no memory until rows are written to it).
        sketch_from: rows from which the first pass runs on a sketch.
        """
        self._rows = _Grown.with_room(matrix) if len(matrix) >= ROOM_FROM else _Grown(matrix)
        self._n = len(matrix)
        self._alive: np.ndarray | None = None  # False for rows ruled out by `updated`
        self._sketch_from = sketch_from
        self._sketch = _Sketch(matrix) if len(matrix) >= sketch_from else None

    @property
    def matrix(self) -> np.ndarray:
        """The scan's rows (ruled-out ones included), shape (len(self), dim)."""
        return self._rows.data[: self._n]

    def __len__(self) -> int:
        return self._n

    @property
    def alive(self) -> np.ndarray | None:
        """False for rows ruled out by `updated`; None when every row is live."""
        return self._alive

    @property
    def dead(self) -> int:
        """Rows ruled out by `updated` (their items were replaced or deleted)."""
        return 0 if self._alive is None else int(self._n - self._alive.sum())

    def updated(self, dropped: list[int], appended: np.ndarray) -> VectorScan:
        """This scan with the `dropped` rows ruled out and the `appended` unit vectors added as
        rows len(self), len(self) + 1, ... (this scan itself is unchanged)."""
        import copy

        import numpy as np

        scan = copy.copy(self)
        scan._n = self._n + len(appended)
        if len(appended):
            scan._rows = self._rows.extended(self._n, np.asarray(appended, dtype="float32"))
        alive = np.ones(scan._n, dtype=bool)
        if self._alive is not None:
            alive[: self._n] = self._alive
        alive[list(dropped)] = False
        scan._alive = None if alive.all() else alive
        if self._sketch is not None:
            scan._sketch = self._sketch.extended(self._n, appended)
        elif scan._n >= self._sketch_from:
            scan._sketch = _Sketch(scan.matrix)
        return scan

    def score(self, vector: np.ndarray, keep: np.ndarray | None = None) -> Scores:
        """Every row scored against `vector`; rows where `keep` is False are ruled out."""
        import numpy as np

        vector = np.asarray(vector, dtype="float32")
        if self._alive is not None:
            keep = self._alive if keep is None else keep & self._alive
        if self._sketch is None:
            scores = self.matrix @ vector
            if keep is not None:
                scores = np.where(keep, scores, -np.inf)
            return Scores(self.matrix, vector, scores, None)
        first = self._sketch.scores(vector, self._n)
        if keep is not None:
            import torch

            first.masked_fill_(~torch.from_numpy(keep), float("-inf"))
        return Scores(self.matrix, vector, None, first)


class _Grown:
    """A 2-D array that grows at the end, shared by scans made from one another: rows below
    `used` never change, so an older scan reads its prefix while a newer one appends."""

    def __init__(self, data: np.ndarray, used: int | None = None) -> None:
        import threading

        self.data = data
        self.used = len(data) if used is None else used
        self._lock = threading.Lock()

    @classmethod
    def with_room(cls, rows: np.ndarray) -> _Grown:
        """`rows` copied into a buffer with a quarter to spare."""
        import numpy as np

        data = np.empty((_room(len(rows)), *rows.shape[1:]), dtype=rows.dtype)
        data[: len(rows)] = rows
        return cls(data, len(rows))

    def extended(self, n: int, rows: np.ndarray) -> _Grown:
        """The first n rows followed by `rows`: in place when nobody appended after row n and
        there is room, else in a new buffer with a quarter to spare (a copy, now and then)."""
        import numpy as np

        need = n + len(rows)
        with self._lock:
            if n == self.used and need <= len(self.data):
                self.data[n:need] = rows
                self.used = need
                return self
        data = np.empty((_room(need), self.data.shape[1]), dtype=self.data.dtype)
        data[:n] = self.data[:n]
        data[n:need] = rows
        return _Grown(data, need)


class _Sketch:
    """Each row's coordinates on the matrix's principal directions, float16 (scored with torch:
    numpy has no fast float16 product). Rows added later are projected on the same directions."""

    def __init__(self, matrix: np.ndarray) -> None:
        import numpy as np

        rng = np.random.default_rng(0)  # the same directions for the same catalog
        rows = len(matrix)
        sample = matrix[np.sort(rng.choice(rows, min(rows, SKETCH_SAMPLE), replace=False))]
        self.mean = sample.mean(axis=0)
        _, _, directions = np.linalg.svd(sample - self.mean, full_matrices=False)
        self.basis = np.ascontiguousarray(directions[:SKETCH_DIMS].T, dtype="float32")
        # with room from the start: pages not written to yet take no memory
        data = np.empty((_room(rows), self.basis.shape[1]), dtype="float16")
        self.rows = _Grown(data, rows)
        for start in range(0, rows, _CHUNK):
            part = self._project(matrix[start : start + _CHUNK])
            self.rows.data[start : start + len(part)] = part

    def _project(self, vectors: np.ndarray) -> np.ndarray:
        return ((vectors - self.mean) @ self.basis).astype("float16")

    def extended(self, n: int, vectors: np.ndarray) -> _Sketch:
        """The first n rows and `vectors` projected after them (same directions)."""
        import copy

        sketch = copy.copy(self)
        if len(vectors):
            sketch.rows = self.rows.extended(n, self._project(vectors))
        return sketch

    def scores(self, vector: np.ndarray, n: int):
        """Approximate dot products of the first n rows, less the constant mean . vector (the
        order is the same)."""
        import torch

        rows = torch.from_numpy(self.rows.data[:n])
        return rows @ torch.from_numpy(vector @ self.basis).to(torch.float16)


def _room(rows: int) -> int:
    """Rows a buffer for `rows` rows holds: a quarter more, so that growth copies rarely."""
    return rows + rows // 4 + 16


class Scores:
    """One query's scores over every row; `best` hands them out best first."""

    def __init__(self, matrix, vector, exact, first) -> None:
        self._matrix, self._vector = matrix, vector
        self._exact = exact  # float32 numpy scores of every row (small matrices)
        self._first = first  # float16 torch sketch scores of every row (large matrices)

    def best(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, float32 scores) of the m best rows that were not ruled out, best first."""
        import numpy as np

        if m <= 0:
            return np.zeros(0, dtype="int64"), np.zeros(0, dtype="float32")
        if self._exact is not None:
            return self._best_exact(m)
        import torch

        n = len(self._first)
        values, rows = torch.topk(self._first, min(n, FIRST_PASS * m + MARGIN))
        rows = rows[values > float("-inf")].numpy()
        exact = self._matrix[rows] @ self._vector
        order = np.lexsort((rows, -exact))[:m]
        return rows[order], exact[order]

    def _best_exact(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        scores = self._exact
        if m >= len(scores):
            rows = np.argsort(-scores, kind="stable")
        else:
            top = np.argpartition(-scores, m - 1)[:m]
            rows = top[np.lexsort((top, -scores[top]))]  # ties in row order
        rows = rows[scores[rows] > -np.inf]
        return rows, scores[rows]
