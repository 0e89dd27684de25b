"""Ranking and beyond-accuracy metrics: pure functions of ranked ids, relevant ids and item data.

Every accuracy metric takes `ranked` (ids, best first) and `relevant` (a set of ids). Averages over
users or instances are the caller's job: the ReDial benchmark averages over (turn, target) pairs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def precision_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the top k that is relevant (a short list still divides by k)."""
    return sum(1 for id_ in ranked[:k] if id_ in relevant) / k


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant items found in the top k; 0 when nothing is relevant."""
    if not relevant:
        return 0.0
    return sum(1 for id_ in ranked[:k] if id_ in relevant) / len(relevant)


def hit_rate_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """1 if any relevant item is in the top k, else 0."""
    return float(any(id_ in relevant for id_ in ranked[:k]))


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    """1 / rank of the first relevant item; 0 if none is ranked. Its mean is MRR."""
    for position, id_ in enumerate(ranked, start=1):
        if id_ in relevant:
            return 1.0 / position
    return 0.0


def average_precision_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """AP@k: mean of precision@i at each relevant position i <= k, over min(|relevant|, k)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for position, id_ in enumerate(ranked[:k], start=1):
        if id_ in relevant:
            hits += 1
            total += hits / position
    return total / min(len(relevant), k)


def dcg_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Binary-gain DCG: sum of 1 / log2(position + 1) over relevant items in the top k."""
    return sum(
        1.0 / math.log2(p + 1) for p, id_ in enumerate(ranked[:k], start=1) if id_ in relevant
    )


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """DCG@k divided by the DCG of a perfect list; 0 when nothing is relevant."""
    ideal = sum(1.0 / math.log2(p + 1) for p in range(1, min(len(relevant), k) + 1))
    return dcg_at_k(ranked, relevant, k) / ideal if ideal else 0.0


def intra_list_diversity(vectors: np.ndarray) -> float:
    """Mean pairwise cosine distance (1 - cosine) of a list's unit embeddings, shape (n, dim)."""
    import numpy as np

    n = len(vectors)
    if n < 2:
        return 0.0
    similarity = np.asarray(vectors, dtype="float64") @ np.asarray(vectors, dtype="float64").T
    off_diagonal = similarity.sum() - np.trace(similarity)
    return float(1.0 - off_diagonal / (n * (n - 1)))


def catalog_coverage(lists: Iterable[Sequence[str]], catalog_size: int) -> float:
    """Share of the catalog that appears in at least one recommended list."""
    shown = {id_ for ranked in lists for id_ in ranked}
    return len(shown) / catalog_size if catalog_size else 0.0


def novelty(ranked: Sequence[str], popularity: Mapping[str, float], total: float) -> float:
    """Mean self-information -log2(p(i)) of a list, p(i) = (popularity + 1) / (total + 1).

    The +1 keeps never-seen items finite (they are the most novel)."""
    if not ranked:
        return 0.0
    return sum(-math.log2((popularity.get(id_, 0.0) + 1) / (total + 1)) for id_ in ranked) / len(
        ranked
    )


def gini_index(lists: Iterable[Sequence[str]], catalog: Sequence[str]) -> float:
    """Gini of how often each catalog item is recommended: 0 = equal exposure, ~1 = one item."""
    exposure = Counter(id_ for ranked in lists for id_ in ranked)
    counts = sorted(exposure.get(id_, 0) for id_ in catalog)
    n, total = len(counts), sum(counts)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((2 * i - n - 1) * c for i, c in enumerate(counts, start=1))
    return weighted / (n * total)
