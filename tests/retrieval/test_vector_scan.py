"""The sketched first pass of large catalogs must find what the exact float32 product finds."""

import numpy as np
import pytest

from retrieval.vector_scan import VectorScan


@pytest.fixture(scope="module")
def matrix() -> np.ndarray:
    # like sentence embeddings: most of the variance along a few dozen directions, some noise
    # along all 384 (more than the sketch keeps)
    rng = np.random.default_rng(7)
    m = rng.standard_normal((20_000, 48)) @ rng.standard_normal((48, 384))
    m = (m + 3.0 * rng.standard_normal(m.shape)).astype("float32")
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def query(matrix: np.ndarray, row: int) -> np.ndarray:
    v = matrix[row] + 0.5 * matrix[row + 1]
    return v / np.linalg.norm(v)


def test_sketch_pass_finds_the_exact_best_rows(matrix):
    exact, half = VectorScan(matrix), VectorScan(matrix, sketch_from=0)
    for row in (0, 100, 5000):
        v = query(matrix, row)
        rows_e, _ = exact.score(v).best(50)
        rows_h, scores_h = half.score(v).best(50)
        assert rows_h[0] == row
        assert rows_h[:10].tolist() == rows_e[:10].tolist()
        assert len(set(rows_e.tolist()) & set(rows_h.tolist())) >= 48
        # the scores handed out are the float32 ones, best first
        assert np.allclose(scores_h, matrix[rows_h] @ v, atol=1e-6)
        assert (np.diff(scores_h) <= 0).all()


def test_rows_ruled_out_never_come_back(matrix):
    keep = np.zeros(len(matrix), dtype=bool)
    keep[::1000] = True  # 20 rows pass
    for scan in (VectorScan(matrix), VectorScan(matrix, sketch_from=0)):
        rows, _ = scan.score(query(matrix, 0), keep).best(100)
        assert sorted(rows.tolist()) == list(range(0, len(matrix), 1000))
        assert scan.score(query(matrix, 0), keep).best(0)[0].size == 0
