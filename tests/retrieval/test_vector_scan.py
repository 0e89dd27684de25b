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


@pytest.mark.parametrize("sketch_from", [0, 10**9])
def test_an_updated_scan_ranks_as_one_built_afresh_and_the_old_one_is_unchanged(
    matrix, sketch_from
):
    base, extra = matrix[:15_000], matrix[15_000:]
    old = VectorScan(base, sketch_from=sketch_from)
    v = query(matrix, 100)
    before = old.score(v).best(20)
    dropped = [100, 101, 7]
    new = old.updated(dropped, extra[:2_000])  # a new buffer: the first has no room
    newer = new.updated([15_005], extra[2_000:2_100])  # appended in place
    # what a fresh scan of the same live rows finds
    live = [r for r in range(len(newer)) if r not in {*dropped, 15_005}]
    fresh = VectorScan(newer.matrix[live], sketch_from=sketch_from)
    for row in (100, 15_050, 16_020):
        q = query(newer.matrix, row)
        rows, scores = newer.score(q).best(30)
        want_rows, want_scores = fresh.score(q).best(30)
        assert not {*dropped, 15_005} & set(rows.tolist())
        assert [live[r] for r in want_rows[:10].tolist()] == rows[:10].tolist()
        assert np.allclose(scores[:10], want_scores[:10], atol=1e-6)
    assert len(old) == 15_000 and old.dead == 0  # a turn holding the old scan sees it as it was
    assert [a.tolist() for a in old.score(v).best(20)] == [a.tolist() for a in before]
    assert newer.dead == 4 and len(newer) == 17_100
