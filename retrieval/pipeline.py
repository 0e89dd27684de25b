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
    from retrieval.context import RetrievalContext


@dataclass
class Ranked:
    candidates: list[Candidate]
    timings_ms: dict[str, float] = field(default_factory=dict)  # retrieval, ranking


class RecommendationPipeline:
    """A retriever and a ranker over one `RetrievalContext`."""

    def __init__(self, ranker: Ranker, pool: int = 100, diversity: float = 0.0) -> None:
        self.context = ranker.context
        self.retriever = Retriever(self.context)
        self.ranker = ranker
        self.pool = pool  # candidates handed from the first stage to the second
        self.diversity = diversity  # MMR lambda for queries that set none (Settings.diversity)

    def with_collaborative(self, model: CoOccurrence | None) -> RecommendationPipeline:
        """The same pipeline reading another co-occurrence model (the evaluator's held-out
        folds): a new pipeline, so the original and every part built from it are untouched."""
        return self.with_context(self.context.with_collaborative(model))

    def with_context(self, context: RetrievalContext) -> RecommendationPipeline:
        return RecommendationPipeline(self.ranker.with_context(context), self.pool, self.diversity)

    def prime(self, queries: list[RetrievalQuery]) -> None:
        """Embed the texts of many queries in batches ahead of time (the evaluator's speed-up)."""
        self.context.queries.prime([q.text for q in queries])
        encoder = self.context.dialogue_encoder
        if encoder is not None:
            from retrieval.dialogue_encoder import dialogue_text

            encoder.prime([dialogue_text(q.dialogue) for q in queries if q.dialogue])

    def warm_up(self) -> None:
        """Read what the first turn would otherwise read: the catalog's vectors and arrays, the
        popularity order and scale, the dialogue encoder's item vectors (seconds at 1M items)."""
        self.context.memory.arrays()
        self.retriever.warm_up()
        self.ranker.warm_up()
        if self.context.dialogue_encoder is not None:
            self.context.dialogue_encoder.sync()
        self.context.index.release()  # every turn now reads the in-memory copies

    def candidates(self, query: RetrievalQuery) -> list[Candidate]:
        """The first stage alone: what the ranker would be handed."""
        return self.retriever.retrieve(query, pool=max(self.pool, query.k))

    def recommend(self, query: RetrievalQuery) -> Ranked:
        if self.diversity and not query.diversity:
            query = query.model_copy(update={"diversity": self.diversity})
        started = time.perf_counter()
        candidates = self.candidates(query)
        retrieved = time.perf_counter()
        ranked = self.ranker.rank(query, candidates)
        done = time.perf_counter()
        return Ranked(
            ranked,
            {"retrieval": 1000 * (retrieved - started), "ranking": 1000 * (done - retrieved)},
        )
