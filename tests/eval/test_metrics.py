"""Every metric against values worked out by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eval import metrics as m

RANKED = ["a", "b", "c", "d", "e"]
RELEVANT = {"b", "d", "z"}  # hits at positions 2 and 4; "z" is never ranked


def test_precision_recall_hit_rate():
    assert m.precision_at_k(RANKED, RELEVANT, 1) == 0.0
    assert m.precision_at_k(RANKED, RELEVANT, 4) == pytest.approx(2 / 4)
    assert m.recall_at_k(RANKED, RELEVANT, 2) == pytest.approx(1 / 3)
    assert m.recall_at_k(RANKED, RELEVANT, 5) == pytest.approx(2 / 3)
    assert m.recall_at_k(RANKED, set(), 5) == 0.0
    assert m.hit_rate_at_k(RANKED, RELEVANT, 1) == 0.0
    assert m.hit_rate_at_k(RANKED, RELEVANT, 2) == 1.0


def test_reciprocal_rank_and_average_precision():
    assert m.reciprocal_rank(RANKED, RELEVANT) == pytest.approx(1 / 2)
    assert m.reciprocal_rank(RANKED, {"q"}) == 0.0
    # precision at the hits: 1/2 and 2/4; divided by min(|relevant|, k) = 3
    assert m.average_precision_at_k(RANKED, RELEVANT, 5) == pytest.approx((0.5 + 0.5) / 3)
    # only the hit at 2 is inside k = 3; min(3, 3) = 3
    assert m.average_precision_at_k(RANKED, RELEVANT, 3) == pytest.approx(0.5 / 3)


def test_dcg_and_ndcg():
    dcg = 1 / math.log2(3) + 1 / math.log2(5)  # hits at positions 2 and 4
    assert m.dcg_at_k(RANKED, RELEVANT, 5) == pytest.approx(dcg)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)  # three relevant items at the top
    assert m.ndcg_at_k(RANKED, RELEVANT, 5) == pytest.approx(dcg / ideal)
    assert m.ndcg_at_k(["b"], {"b"}, 10) == pytest.approx(1.0)
    assert m.ndcg_at_k(RANKED, set(), 5) == 0.0


def test_intra_list_diversity():
    same = np.array([[1.0, 0.0], [1.0, 0.0]])
    orthogonal = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    assert m.intra_list_diversity(same) == pytest.approx(0.0)
    # pair distances: 1, 2, 1 -> mean 4/3
    assert m.intra_list_diversity(orthogonal) == pytest.approx(4 / 3)
    assert m.intra_list_diversity(same[:1]) == 0.0


def test_coverage_novelty_gini():
    lists = [["a", "b"], ["a", "c"]]
    assert m.catalog_coverage(lists, 10) == pytest.approx(3 / 10)
    popularity = {"a": 3.0, "b": 0.0}
    # p(a) = 4/8, p(b) = 1/8 -> (1 + 3) / 2
    assert m.novelty(["a", "b"], popularity, total=7.0) == pytest.approx(2.0)
    assert m.gini_index([["a"], ["b"]], ["a", "b"]) == pytest.approx(0.0)
    # exposure sorted (0, 0, 0, 4): sum (2i - n - 1) c = 3 * 4 = 12 over n * total = 16
    assert m.gini_index([["d"]] * 4, ["a", "b", "c", "d"]) == pytest.approx(12 / 16)
