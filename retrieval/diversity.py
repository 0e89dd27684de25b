"""Maximal marginal relevance: pick items that are relevant and unlike those already picked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrieval.schema import Candidate

if TYPE_CHECKING:
    import numpy as np


def mmr(
    candidates: list[Candidate], vectors: np.ndarray, k: int, diversity: float
) -> list[Candidate]:
    """Greedy MMR.

    Args:
        candidates: sorted best first; `score` is the relevance.
        vectors: unit embeddings of the candidates, shape (n, dim), same order.
        k: how many to pick.
        diversity: lambda in [0, 1]; 0 keeps the relevance order, 1 maximises novelty.

    Returns:
        The picked candidates in pick order.
    """
    import numpy as np

    relevance = np.array([c.score for c in candidates], dtype="float32")
    spread = float(relevance.max() - relevance.min()) or 1.0
    relevance = (relevance - relevance.min()) / spread  # same scale as cosine similarity
    similarity = vectors @ vectors.T  # (n, n)
    picked: list[int] = []
    closest = np.zeros(len(candidates), dtype="float32")  # max similarity to anything picked
    for _ in range(min(k, len(candidates))):
        gain = (1 - diversity) * relevance - diversity * closest
        gain[picked] = -np.inf
        best = int(np.argmax(gain))
        picked.append(best)
        closest = np.maximum(closest, similarity[best])
    return [candidates[i] for i in picked]
