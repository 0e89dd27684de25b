"""First stage: turn a query built from the dialogue into candidates from three sources.

1. Nearest neighbours of one query vector that mixes the user's words with the stored vectors of
   items they liked (recent ones weigh more) and pushes away from items they rejected.
2. Items that co-occur with the liked items in other people's dialogues (collaborative signal),
   when a `CoOccurrence` model is present.
3. The most popular items that pass the filter: the honest cold-start answer, and a safety net.
4. Items a trained `DialogueEncoder` puts closest to the recent dialogue, when one is present.

Every candidate carries its cosine similarity to the query vector as `retrieval_score`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrieval._threads import beside
from retrieval.schema import Candidate, RetrievalQuery

if TYPE_CHECKING:
    import numpy as np

    from retrieval.context import RetrievalContext
    from retrieval.item_arrays import ItemArrays

TEXT_WEIGHT = 1.0
LIKED_WEIGHT = 1.2  # named items say more than words (see ../shared/data/README.md)
REJECTED_WEIGHT = 0.3
RECENCY_DECAY = 0.7  # each older liked item counts 0.7x the next one


class Retriever:
    def __init__(self, context: RetrievalContext) -> None:
        self.context = context
        # (the catalog arrays, their rows most popular first): counted once per catalog version
        self._popular_rows: tuple[ItemArrays, np.ndarray] | None = None

    def warm_up(self) -> None:
        """Count the popularity order now (once per catalog version) rather than in a turn."""
        self._popular(0)

    def retrieve(self, query: RetrievalQuery, pool: int = 100) -> list[Candidate]:
        """Up to about 2-3 x `pool` candidates that pass the query's filter, best source first."""
        # The dialogue encoder's half (encode the dialogue, scan its space) runs in another
        # thread beside the index's half: torch leaves a core idle on one short text (the two
        # halves: 68 -> 58 ms p50 at 1M items, benchmarks/retrieval_halves.py).
        dialogue = (
            beside(self._from_dialogue, query, pool) if self._dialogue_wanted(query) else None
        )
        vector = self.query_vector(query)
        memory = self.context.memory
        # exact, over the in-memory vectors: a filtered Chroma query grows with the catalog
        found = memory.search(vector, k=pool, filter=query.filter) if vector is not None else []
        taken = {c.item.id for c in found}
        from_dialogue = dialogue.result() if dialogue is not None else []
        sources = self._related(query, pool) + from_dialogue + self._popular(pool)
        items = memory.items()
        extra = [
            items[i]
            for i in dict.fromkeys(sources)
            if i not in taken and query.filter.accepts(items[i])
        ]
        scores = self._cosines(vector, [item.id for item in extra])
        found += [
            Candidate(item=item, score=score, retrieval_score=score)
            for item, score in zip(extra, scores, strict=True)
        ]
        return found

    def query_vector(self, query: RetrievalQuery) -> np.ndarray | None:
        import numpy as np

        parts: list[np.ndarray] = []
        if query.text.strip():
            parts.append(TEXT_WEIGHT * self.context.queries(query.text))
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

        vectors = self.context.memory.vectors(ids)  # (n, dim), oldest first
        weights = RECENCY_DECAY ** np.arange(len(ids) - 1, -1, -1, dtype="float32")
        mean = (weights[:, None] * vectors).sum(axis=0) / weights.sum()
        return mean / max(float(np.linalg.norm(mean)), 1e-8)

    def _cosines(self, vector: np.ndarray | None, ids: list[str]) -> list[float]:
        if vector is None or not ids:
            return [0.0] * len(ids)
        return [float(v @ vector) for v in self.context.memory.vectors(ids)]

    def _related(self, query: RetrievalQuery, pool: int) -> list[str]:
        collaborative = self.context.collaborative
        if collaborative is None or not query.positive_ids:
            return []
        scores = collaborative.related(query.positive_ids)
        excluded = set(query.filter.exclude_ids)
        ranked = sorted((i for i in scores if i not in excluded), key=lambda i: -scores[i])
        items = self.context.memory.items()
        return [i for i in ranked if i in items][:pool]

    def _dialogue_wanted(self, query: RetrievalQuery) -> bool:
        return self.context.dialogue_encoder is not None and bool(query.dialogue)

    def _from_dialogue(self, query: RetrievalQuery, pool: int) -> list[str]:
        if not self._dialogue_wanted(query):
            return []
        encoder = self.context.dialogue_encoder
        excluded = set(query.filter.exclude_ids)
        found = encoder.search(query.dialogue, pool + len(excluded))
        return [i for i, _ in found if i not in excluded][:pool]

    def _popular(self, pool: int) -> list[str]:
        import numpy as np

        arrays, collaborative = self.context.memory.arrays(), self.context.collaborative
        if self._popular_rows is None or self._popular_rows[0] is not arrays:
            if collaborative is not None:
                key = np.zeros(len(arrays.ids))
                for id_ in collaborative.mentions:  # the only items above 0
                    if id_ in arrays.row:
                        key[arrays.row[id_]] = collaborative.popularity(id_)
            else:
                # bounded like the ranker's prior: an absurd count does not put an item first
                key = arrays.popularity_scale.believed(arrays.log_pop)
            rows = np.argsort(-key, kind="stable")  # ties in catalog order
            if arrays.alive is not None:
                rows = rows[arrays.alive[rows]]
            self._popular_rows = arrays, rows
        arrays, rows = self._popular_rows
        return [arrays.ids[r] for r in rows[: pool + 50].tolist()]  # some may be filtered out
