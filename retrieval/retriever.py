"""First stage: turn a query built from the dialogue into one vector and search the index.

The vector mixes the user's words with the stored vectors of items they liked (recent ones
weigh more) and pushes away from items they rejected. Without any signal it falls back to the
most popular items that pass the filter, which is the honest cold-start answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrieval.schema import Candidate, RetrievalQuery

if TYPE_CHECKING:
    import numpy as np

    from retrieval.index import ItemIndex

TEXT_WEIGHT = 1.0
LIKED_WEIGHT = 1.2  # named items say more than words (see ../shared/data/README.md)
REJECTED_WEIGHT = 0.3
RECENCY_DECAY = 0.7  # each older liked item counts 0.7x the next one


class Retriever:
    def __init__(self, index: ItemIndex) -> None:
        self.index = index

    def retrieve(self, query: RetrievalQuery, pool: int = 100) -> list[Candidate]:
        """Up to `pool` candidates that pass the query's filter, best first."""
        vector = self.query_vector(query)
        if vector is None:
            return self._popular(query, pool)
        return self.index.search(vector, k=pool, filter=query.filter)

    def query_vector(self, query: RetrievalQuery) -> np.ndarray | None:
        import numpy as np

        parts: list[np.ndarray] = []
        if query.text.strip():
            parts.append(TEXT_WEIGHT * self.index.embedder.embed([query.text])[0])
        if query.positive_ids:
            parts.append(LIKED_WEIGHT * self._weighted_mean(query.positive_ids))
        if not parts:
            return None
        if query.negative_ids:
            parts.append(-REJECTED_WEIGHT * self._weighted_mean(query.negative_ids))
        vector = np.sum(parts, axis=0)
        return vector / max(float(np.linalg.norm(vector)), 1e-8)

    def _weighted_mean(self, ids: list[str]) -> np.ndarray:
        import numpy as np

        vectors = self.index.embeddings(ids)  # (n, dim), oldest first
        weights = RECENCY_DECAY ** np.arange(len(ids) - 1, -1, -1, dtype="float32")
        mean = (weights[:, None] * vectors).sum(axis=0) / weights.sum()
        return mean / max(float(np.linalg.norm(mean)), 1e-8)

    def _popular(self, query: RetrievalQuery, pool: int) -> list[Candidate]:
        items = [it for it in self.index.items().values() if query.filter.accepts(it)]
        items.sort(key=lambda it: -it.popularity)
        return [Candidate(item=it, score=0.0, retrieval_score=0.0) for it in items[:pool]]
