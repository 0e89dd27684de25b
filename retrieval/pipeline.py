"""Retrieval then ranking, timed: the one code path used by the agent and the evaluator."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from retrieval.ranker import Ranker
from retrieval.retriever import Retriever
from retrieval.schema import Candidate, RetrievalQuery


@dataclass
class Ranked:
    candidates: list[Candidate]
    timings_ms: dict[str, float] = field(default_factory=dict)  # retrieval, ranking


class RecommendationPipeline:
    def __init__(self, retriever: Retriever, ranker: Ranker, pool: int = 100) -> None:
        self.retriever = retriever
        self.ranker = ranker
        self.pool = pool  # candidates handed from the first stage to the second

    def recommend(self, query: RetrievalQuery) -> Ranked:
        started = time.perf_counter()
        candidates = self.retriever.retrieve(query, pool=max(self.pool, query.k))
        retrieved = time.perf_counter()
        ranked = self.ranker.rank(query, candidates)
        done = time.perf_counter()
        return Ranked(
            ranked,
            {"retrieval": 1000 * (retrieved - started), "ranking": 1000 * (done - retrieved)},
        )
