"""Second stage: score candidates with everything the dialogue says, then cut to k.

Scores add up the retrieval similarity, agreement with liked genres and people, a popularity
prior, and, when a trained cross-encoder is present, its relevance score. Optional MMR
re-ranking trades some relevance for variety (`RetrievalQuery.diversity`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrieval.diversity import mmr
from retrieval.schema import Candidate, RetrievalQuery

if TYPE_CHECKING:
    from retrieval.index import ItemIndex
    from retrieval.reranker import CrossEncoderReranker


@dataclass
class RankWeights:
    """How much each signal counts; tuned on the ReDial validation split."""

    similarity: float = 1.0  # cosine from the first stage
    genre: float = 0.12  # share of the liked genres the item has
    people: float = 0.15  # the item has a person the user asked for
    popularity: float = 0.08  # log-popularity, scaled to [0, 1] over the catalog
    rerank: float = 0.25  # cross-encoder logit, squashed to (0, 1)


class Ranker:
    def __init__(
        self,
        index: ItemIndex,
        reranker: CrossEncoderReranker | None = None,
        weights: RankWeights | None = None,
    ) -> None:
        self.index = index
        self.reranker = reranker
        self.weights = weights or RankWeights()
        self._max_log_pop: float | None = None

    def rank(self, query: RetrievalQuery, candidates: list[Candidate]) -> list[Candidate]:
        """The best `query.k` candidates, re-scored, in order."""
        if not candidates:
            return []
        scored = [self._score(query, c) for c in candidates]
        if self.reranker is not None and query.text.strip():
            scored = self._rerank(query, scored)
        scored.sort(key=lambda c: -c.score)
        if query.diversity > 0:
            vectors = self.index.embeddings([c.item.id for c in scored])
            return mmr(scored, vectors, query.k, query.diversity)
        return scored[: query.k]

    def _score(self, query: RetrievalQuery, candidate: Candidate) -> Candidate:
        w, item = self.weights, candidate.item
        score = w.similarity * candidate.retrieval_score
        if query.liked_genres:
            score += w.genre * len(set(item.genres) & set(query.liked_genres)) / len(
                query.liked_genres
            )
        if query.liked_people:
            names = {n for group in item.people.values() for n in group}
            score += w.people * bool(names & set(query.liked_people))
        score += w.popularity * math.log1p(item.popularity) / self._log_pop_scale()
        return candidate.model_copy(update={"score": score})

    def _rerank(self, query: RetrievalQuery, candidates: list[Candidate]) -> list[Candidate]:
        logits = self.reranker.score(query.text, [c.item for c in candidates])
        return [
            c.model_copy(
                update={"rerank_score": s, "score": c.score + self.weights.rerank / (1 + math.exp(-s))}
            )
            for c, s in zip(candidates, logits, strict=True)
        ]

    def _log_pop_scale(self) -> float:
        if self._max_log_pop is None:
            top = max((it.popularity for it in self.index.items().values()), default=0.0)
            self._max_log_pop = max(math.log1p(top), 1.0)
        return self._max_log_pop
