"""What every retrieval part reads, built once and handed to each of them.

The retriever, the ranker and the agent's explainer all read the same catalog, item vectors,
collaborative model and dialogue encoder. Holding them in one read-only object means a variant
(the evaluator's held-out co-occurrence model of one fold) is a new context, and every part
built from it agrees on what it reads; no part is ever rewired from outside.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from retrieval.memory import ItemMemory

if TYPE_CHECKING:
    import numpy as np

    from retrieval.collaborative import CoOccurrence
    from retrieval.dialogue_encoder import DialogueEncoder
    from retrieval.embedder import Embedder
    from retrieval.index import ItemIndex

QUERY_CACHE = 20_000  # query texts kept embedded; the evaluator primes a few thousand


class QueryVectors:
    """Embeddings of query texts, cached (bounded: a long-running server sees endless texts)."""

    def __init__(self, embedder: Embedder, limit: int = QUERY_CACHE) -> None:
        self.embedder = embedder
        self.limit = limit
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, text: str) -> np.ndarray:
        vector = self._cache.get(text)
        if vector is None:
            vector = self.embedder.embed([text])[0]
            self._remember(text, vector)
        else:
            self._cache.move_to_end(text)
        return vector

    def prime(self, texts: list[str]) -> None:
        """Embed many texts in batches ahead of time (the evaluator's speed-up)."""
        fresh = [t for t in dict.fromkeys(texts) if t.strip() and t not in self._cache]
        if fresh:
            for text, vector in zip(fresh, self.embedder.embed(fresh), strict=True):
                self._remember(text, vector)

    def _remember(self, text: str, vector: np.ndarray) -> None:
        self._cache[text] = vector
        while len(self._cache) > self.limit:
            self._cache.popitem(last=False)


@dataclass(frozen=True)
class RetrievalContext:
    """The shared, read-only inputs of retrieval, ranking and explanation."""

    index: ItemIndex
    memory: ItemMemory  # items and vectors in memory, in step with the index
    queries: QueryVectors  # query text -> vector
    collaborative: CoOccurrence | None = None  # co-occurrence in other people's dialogues
    dialogue_encoder: DialogueEncoder | None = None  # the fine-tuned dialogue -> item model

    @classmethod
    def of(
        cls,
        index: ItemIndex,
        collaborative: CoOccurrence | None = None,
        dialogue_encoder: DialogueEncoder | None = None,
    ) -> RetrievalContext:
        return cls(
            index, ItemMemory(index), QueryVectors(index.embedder), collaborative, dialogue_encoder
        )

    def with_collaborative(self, model: CoOccurrence | None) -> RetrievalContext:
        """The same context with another co-occurrence model (e.g. one that holds a fold out)."""
        return replace(self, collaborative=model)

    def without_learned(self) -> RetrievalContext:
        """The same catalog and vectors with no trained model (the baselines)."""
        return replace(self, collaborative=None, dialogue_encoder=None)
