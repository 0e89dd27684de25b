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

from retrieval.schema import Candidate, RetrievalQuery

if TYPE_CHECKING:
    import numpy as np

    from retrieval.collaborative import CoOccurrence
    from retrieval.dialogue_encoder import DialogueEncoder
    from retrieval.index import ItemIndex

TEXT_WEIGHT = 1.0
LIKED_WEIGHT = 1.2  # named items say more than words (see ../shared/data/README.md)
REJECTED_WEIGHT = 0.3
RECENCY_DECAY = 0.7  # each older liked item counts 0.7x the next one


class Retriever:
    def __init__(
        self,
        index: ItemIndex,
        collaborative: CoOccurrence | None = None,
        dialogue_encoder: DialogueEncoder | None = None,
    ) -> None:
        self.index = index
        self._collaborative = collaborative
        self.dialogue_encoder = dialogue_encoder
        self.text_vectors: dict[str, np.ndarray] = {}  # query text -> vector; see `prime`
        self._vectors: dict[str, np.ndarray] | None = None
        self._popular_ids: list[str] | None = None
        self._index_version = index.version  # caches above are for this version of the index

    @property
    def collaborative(self) -> CoOccurrence | None:
        return self._collaborative

    @collaborative.setter
    def collaborative(self, model: CoOccurrence | None) -> None:
        self._collaborative = model
        self._popular_ids = None  # popularity is counted on the model's dialogues

    def retrieve(self, query: RetrievalQuery, pool: int = 100) -> list[Candidate]:
        """Up to about 2-3 x `pool` candidates that pass the query's filter, best source first."""
        vector = self.query_vector(query)
        found = self.index.search(vector, k=pool, filter=query.filter) if vector is not None else []
        taken = {c.item.id for c in found}
        sources = self._related(query, pool) + self._from_dialogue(query, pool) + self._popular(pool)
        extra = [i for i in sources if i not in taken]
        items = self.index.items()
        for item_id in dict.fromkeys(extra):
            item = items[item_id]
            if query.filter.accepts(item):
                score = self._cosine(vector, item_id)
                found.append(Candidate(item=item, score=score, retrieval_score=score))
        return found

    def prime(self, texts: list[str]) -> None:
        """Embed many query texts in batches ahead of time (the evaluator's speed-up)."""
        fresh = [t for t in dict.fromkeys(texts) if t.strip() and t not in self.text_vectors]
        if fresh:
            self.text_vectors.update(zip(fresh, self.index.embedder.embed(fresh), strict=True))

    def query_vector(self, query: RetrievalQuery) -> np.ndarray | None:
        import numpy as np

        parts: list[np.ndarray] = []
        if query.text.strip():
            parts.append(TEXT_WEIGHT * self._text_vector(query.text))
        if query.positive_ids:
            parts.append(LIKED_WEIGHT * self._weighted_mean(query.positive_ids))
        if not parts:
            return None
        if query.negative_ids:
            parts.append(-REJECTED_WEIGHT * self._weighted_mean(query.negative_ids))
        vector = np.sum(parts, axis=0)
        return vector / max(float(np.linalg.norm(vector)), 1e-8)

    def _drop_stale_caches(self) -> None:
        """Items were added or changed since the caches were filled (item cold start)."""
        if self._index_version != self.index.version:
            self._vectors, self._popular_ids = None, None
            self._index_version = self.index.version

    def vectors(self, ids: list[str]) -> np.ndarray:
        """Unit item vectors, shape (len(ids), dim), from an in-memory copy of the index."""
        import numpy as np

        self._drop_stale_caches()
        if self._vectors is None:
            all_ids = list(self.index.items())
            self._vectors = dict(zip(all_ids, self.index.embeddings(all_ids), strict=True))
        return np.asarray([self._vectors[i] for i in ids], dtype="float32")

    def _text_vector(self, text: str) -> np.ndarray:
        if text not in self.text_vectors:
            self.text_vectors[text] = self.index.embedder.embed([text])[0]
        return self.text_vectors[text]

    def _weighted_mean(self, ids: list[str]) -> np.ndarray:
        import numpy as np

        vectors = self.vectors(ids)  # (n, dim), oldest first
        weights = RECENCY_DECAY ** np.arange(len(ids) - 1, -1, -1, dtype="float32")
        mean = (weights[:, None] * vectors).sum(axis=0) / weights.sum()
        return mean / max(float(np.linalg.norm(mean)), 1e-8)

    def _cosine(self, vector: np.ndarray | None, item_id: str) -> float:
        return 0.0 if vector is None else float(self.vectors([item_id])[0] @ vector)

    def _related(self, query: RetrievalQuery, pool: int) -> list[str]:
        if self.collaborative is None or not query.positive_ids:
            return []
        scores = self.collaborative.related(query.positive_ids)
        excluded = set(query.filter.exclude_ids)
        ranked = sorted((i for i in scores if i not in excluded), key=lambda i: -scores[i])
        return [i for i in ranked if i in self.index.items()][:pool]

    def _from_dialogue(self, query: RetrievalQuery, pool: int) -> list[str]:
        if self.dialogue_encoder is None or not query.dialogue:
            return []
        excluded = set(query.filter.exclude_ids)
        found = self.dialogue_encoder.search(query.dialogue, pool + len(excluded))
        return [i for i, _ in found if i not in excluded][:pool]

    def _popular(self, pool: int) -> list[str]:
        self._drop_stale_caches()
        if self._popular_ids is None:
            items = self.index.items().values()
            if self.collaborative is not None:
                key = lambda it: -self.collaborative.popularity(it.id)
            else:
                key = lambda it: -(it.popularity or 0.0)
            self._popular_ids = [it.id for it in sorted(items, key=key)]
        return self._popular_ids[: pool + 50]  # some may be filtered out
