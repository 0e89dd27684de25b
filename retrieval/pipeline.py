"""Retrieval then ranking, timed: the one code path used by the agent and the evaluator."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrieval.ranker import Ranker
from retrieval.retriever import Retriever
from retrieval.schema import Candidate, RetrievalQuery

if TYPE_CHECKING:
    from retrieval.collaborative import CoOccurrence


@dataclass
class Ranked:
    candidates: list[Candidate]
    timings_ms: dict[str, float] = field(default_factory=dict)  # retrieval, ranking


class RecommendationPipeline:
    def __init__(
        self, retriever: Retriever, ranker: Ranker, pool: int = 100, diversity: float = 0.0
    ) -> None:
        self.retriever = retriever
        self.ranker = ranker
        self.pool = pool  # candidates handed from the first stage to the second
        self.diversity = diversity  # MMR lambda for queries that set none (Settings.diversity)
        if ranker.vectors == ranker.index.embeddings:
            ranker.vectors = retriever.vectors  # one in-memory copy of the item vectors, not Chroma

    def use_collaborative(self, model: CoOccurrence | None) -> None:
        """Swap the co-occurrence model in both stages (the evaluator's held-out folds)."""
        self.retriever.collaborative = model
        self.ranker.collaborative = model

    def prime(self, queries: list[RetrievalQuery]) -> None:
        """Embed the texts of many queries in batches ahead of time (the evaluator's speed-up)."""
        self.retriever.prime([q.text for q in queries])
        encoder = self.retriever.dialogue_encoder
        if encoder is not None:
            from retrieval.dialogue_encoder import dialogue_text

            encoder.prime([dialogue_text(q.dialogue) for q in queries if q.dialogue])

    def recommend(self, query: RetrievalQuery) -> Ranked:
        if self.diversity and not query.diversity:
            query = query.model_copy(update={"diversity": self.diversity})
        started = time.perf_counter()
        candidates = self.retriever.retrieve(query, pool=max(self.pool, query.k))
        retrieved = time.perf_counter()
        ranked = self.ranker.rank(query, candidates)
        done = time.perf_counter()
        return Ranked(
            ranked,
            {"retrieval": 1000 * (retrieved - started), "ranking": 1000 * (done - retrieved)},
        )
