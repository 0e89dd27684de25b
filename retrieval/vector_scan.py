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


class VectorScan:
    """Top rows by dot product over a fixed float32 matrix (one catalog version)."""

    def __init__(self, matrix: np.ndarray, sketch_from: int = SKETCH_FROM) -> None:
        """Args:
        matrix: unit vectors, shape (rows, dim), float32; kept, not copied.
        sketch_from: rows from which the first pass runs on a sketch.
        """
        self.matrix = matrix
        self._sketch = _Sketch(matrix) if len(matrix) >= sketch_from else None

    def __len__(self) -> int:
        return len(self.matrix)

    def score(self, vector: np.ndarray, keep: np.ndarray | None = None) -> Scores:
        """Every row scored against `vector`; rows where `keep` is False are ruled out."""
        import numpy as np

        vector = np.asarray(vector, dtype="float32")
        if self._sketch is None:
            scores = self.matrix @ vector
            if keep is not None:
                scores = np.where(keep, scores, -np.inf)
            return Scores(self.matrix, vector, scores, None)
        first = self._sketch.scores(vector)
        if keep is not None:
            import torch

            first.masked_fill_(~torch.from_numpy(keep), float("-inf"))
        return Scores(self.matrix, vector, None, first)


class _Sketch:
    """Each row's coordinates on the matrix's principal directions, float16 (torch: numpy has
    no fast float16 product)."""

    def __init__(self, matrix: np.ndarray) -> None:
        import numpy as np
        import torch

        rng = np.random.default_rng(0)  # the same directions for the same catalog
        rows = len(matrix)
        sample = matrix[np.sort(rng.choice(rows, min(rows, SKETCH_SAMPLE), replace=False))]
        self.mean = sample.mean(axis=0)
        _, _, directions = np.linalg.svd(sample - self.mean, full_matrices=False)
        self.basis = np.ascontiguousarray(directions[:SKETCH_DIMS].T, dtype="float32")
        self.rows = torch.empty((rows, self.basis.shape[1]), dtype=torch.float16)
        for start in range(0, rows, _CHUNK):
            part = (matrix[start : start + _CHUNK] - self.mean) @ self.basis
            self.rows[start : start + len(part)] = torch.from_numpy(part)

    def scores(self, vector: np.ndarray):
        """Approximate dot products less the constant mean . vector (the order is the same)."""
        import torch

        return self.rows @ torch.from_numpy(vector @ self.basis).to(torch.float16)


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
