"""Second stage: score candidates with everything the dialogue says, then cut to k.

The score is a weighted sum of signals, each scaled to about [0, 1]: similarity to the query
vector, co-occurrence with the items the user named (collaborative), a popularity prior, agreement
with liked genres and people, how close the item is to its nearest named item (embedding, genres,
era), and, for the best `rerank_top` candidates when a trained cross-encoder is present, its
relevance. When `convrec train-ranker` has fitted a `LearnedScorer`, it replaces the weighted
sum (it reads the same signals plus a few more). Optional MMR re-ranking trades some relevance
for variety (`RetrievalQuery.diversity`).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from retrieval.collaborative import Evidence
from retrieval.diversity import mmr
from retrieval.popularity import PopularityScale
from retrieval.schema import Candidate, Item, RetrievalQuery
from retrieval.signals import SIGNALS, UnknownSignal, check_names

if TYPE_CHECKING:
    from retrieval.context import RetrievalContext
    from retrieval.learned_ranker import LearnedScorer
    from retrieval.reranker import CrossEncoderReranker

NO_EVIDENCE = Evidence()  # an item no seed co-occurs with
ERA_SCALE = 10.0  # years: an item 10 years from the named items' mean year scores 1/e
MMR_POOL = 100  # MMR only looks this deep: items further down are not relevant enough to pick


@dataclass
class RankWeights:
    """How much each signal counts; tuned on the ReDial validation split
    (benchmarks/tune_weights.py), never on test."""

    similarity: float = 0.2  # cosine to the query vector (words + liked items)
    collaborative: float = 0.2  # co-occurrence with the liked items in other dialogues
    popularity: float = 0.2  # log-popularity, scaled to [0, 1] over the catalog
    genre: float = 0.1  # share of the liked genres the item has
    people: float = 0.2  # the item has a person the user asked for
    seed_similarity: float = 0.3  # cosine to the closest item the user named
    seed_genre: float = 0.1  # share of the named items' genres the item has
    era: float = 0.05  # closeness of the item's year to the named items' mean year
    rerank: float = 0.25  # cross-encoder logit, squashed to (0, 1)
    dialogue: float = 0.3  # dialogue-encoder cosine; a guess (the learned ranker tunes its own)


class Ranker:
    def __init__(
        self,
        context: RetrievalContext,
        reranker: CrossEncoderReranker | None = None,
        weights: RankWeights | None = None,
        rerank_top: int = 30,
        learned: LearnedScorer | None = None,
    ) -> None:
        self.context = context
        self.reranker = reranker
        self.weights = weights or RankWeights()
        check_names(n for n in asdict(self.weights) if n != "rerank")
        self.rerank_top = rerank_top  # the cross-encoder re-scores only the head: it is slow
        self.learned = learned  # replaces the weighted sum when present
        self._max_log_pop: float | None = None  # collaborative log-popularity that scores 1.0
        self._catalog_pop = PopularityScale()  # the catalog's own counts, without such a model
        self._scaled_for: object | None = None  # the catalog arrays both were computed for

    def with_context(self, context: RetrievalContext) -> Ranker:
        """A ranker with the same models and weights reading another context."""
        return Ranker(context, self.reranker, self.weights, self.rerank_top, self.learned)

    def warm_up(self) -> None:
        """Compute the popularity scale now (once per catalog version) rather than in a turn."""
        self._log_pop_scale()

    def rank(self, query: RetrievalQuery, candidates: list[Candidate]) -> list[Candidate]:
        """The best `query.k` candidates, re-scored, in order."""
        if not candidates:
            return []
        signals = self.signals(query, candidates)
        if self.learned is not None:
            scores = self.learned.score(signals).tolist()
        else:
            w = asdict(self.weights)
            scores = [sum(w.get(name, 0.0) * value for name, value in s.items()) for s in signals]
        scored = [
            c.model_copy(update={"score": float(s)})
            for c, s in zip(candidates, scores, strict=True)
        ]
        scored.sort(key=lambda c: -c.score)
        if self.reranker is not None and self.weights.rerank and (query.text or query.positive_ids):
            scored = self._rerank(query, scored)
        if query.diversity > 0:
            head = scored[:MMR_POOL]
            vectors = self.context.memory.vectors([c.item.id for c in head])
            return mmr(head, vectors, query.k, query.diversity)
        return scored[: query.k]

    def signals(self, query: RetrievalQuery, candidates: list[Candidate]) -> list[dict[str, float]]:
        """Per candidate, every signal but the cross-encoder's, each about [0, 1]."""
        collaborative = self.context.collaborative
        evidence = collaborative.evidence(query.positive_ids) if self._collab(query) else {}
        liked_genres, liked_people = set(query.liked_genres), set(query.liked_people)
        seeds = self._seed_signals(query, candidates)
        dialogue = self._dialogue(query, candidates)
        scale = self._log_pop_scale()
        out = []
        for candidate, seed, talk in zip(candidates, seeds, dialogue, strict=True):
            item = candidate.item
            names = {n for group in item.people.values() for n in group}
            seen = evidence.get(item.id, NO_EVIDENCE)
            out.append(
                seed
                | {
                    "similarity": candidate.retrieval_score,
                    "collaborative": seen.related,
                    "popularity": self._popularity(item, scale),
                    "genre": len(set(item.genres) & liked_genres) / len(liked_genres)
                    if liked_genres
                    else 0.0,
                    "people": float(bool(names & liked_people)),
                    "suggested": self._suggested(item, scale),
                    "collab_max": seen.strongest,  # the single most telling seed
                    "collab_last": seen.last,  # the seed named last: what the talk is about now
                    "collab_count": math.log1p(seen.count),  # raw evidence, not a ratio
                    "year": float(item.year or 0),
                    "seeds": float(len(query.positive_ids)),
                    "has_text": float(bool(item.text)),
                    "dialogue": talk,
                }
            )
        if out and set(out[0]) != set(SIGNALS):
            raise UnknownSignal(f"signals {sorted(set(out[0]) ^ set(SIGNALS))} differ from SIGNALS")
        return _impute_cold_items(candidates, out, asdict(self.weights))

    def _dialogue(self, query: RetrievalQuery, candidates: list[Candidate]) -> list[float]:
        encoder = self.context.dialogue_encoder
        if encoder is None or not query.dialogue:
            return [0.0] * len(candidates)
        return encoder.similarities(query.dialogue, [c.item.id for c in candidates])

    def _suggested(self, item: Item, scale: float) -> float:
        """How often recommenders suggested it (log), the prior of what gets recommended."""
        collaborative = self.context.collaborative
        if collaborative is None or not collaborative.suggested:
            return 0.0
        return math.log1p(collaborative.suggested.get(item.id, 0.0)) / scale

    def _seed_signals(
        self, query: RetrievalQuery, candidates: list[Candidate]
    ) -> list[dict[str, float]]:
        """Closeness of each candidate to the items the user named: vectors, genres, years."""
        import numpy as np

        memory = self.context.memory
        items = memory.items()
        seeds = [items[i] for i in query.positive_ids if i in items]
        if not seeds:
            return [
                {
                    "seed_similarity": 0.0,
                    "seed_genre": 0.0,
                    "era": 0.0,
                    "shared_people": 0.0,
                    "same_director": 0.0,
                }
                for _ in candidates
            ]
        closest = (
            memory.vectors([c.item.id for c in candidates])
            @ memory.vectors([s.id for s in seeds]).T
        ).max(axis=1)  # (n,)
        genres = {g for s in seeds for g in s.genres}
        people = {n for s in seeds for group in s.people.values() for n in group}
        directors = {n for s in seeds for n in s.people.get("director", [])}
        years = [s.year for s in seeds if s.year]
        mean_year = sum(years) / len(years) if years else None
        return [
            {
                "seed_similarity": float(sim),
                "seed_genre": len(set(c.item.genres) & genres) / len(genres) if genres else 0.0,
                "era": (
                    math.exp(-abs(c.item.year - mean_year) / ERA_SCALE)
                    if c.item.year and mean_year
                    else 0.0
                ),
                "shared_people": float(
                    len(people & {n for g in c.item.people.values() for n in g})
                ),
                "same_director": float(bool(directors & set(c.item.people.get("director", [])))),
            }
            for c, sim in zip(candidates, np.asarray(closest), strict=True)
        ]

    def profile(self, query: RetrievalQuery) -> str:
        """What the cross-encoder reads about the user: the items they named, then their words."""
        items = self.context.memory.items()
        titles = [items[i].display_title for i in query.positive_ids[-5:] if i in items]
        liked = "Liked: " + "; ".join(titles) + ". " if titles else ""
        return (liked + query.text).strip()

    def _collab(self, query: RetrievalQuery) -> bool:
        return self.context.collaborative is not None and bool(query.positive_ids)

    def _rerank(self, query: RetrievalQuery, candidates: list[Candidate]) -> list[Candidate]:
        head, tail = candidates[: self.rerank_top], candidates[self.rerank_top :]
        logits = self.reranker.score(self.profile(query), [c.item for c in head])
        bonus = [self.weights.rerank / (1 + math.exp(-s)) for s in logits]
        head = [
            c.model_copy(update={"rerank_score": s, "score": c.score + b})
            for c, s, b in zip(head, logits, bonus, strict=True)
        ]
        # The tail keeps its order below the head, which the cross-encoder has re-sorted.
        floor = min(c.score for c in head) if head else 0.0
        tail = [c.model_copy(update={"score": min(c.score, floor)}) for c in tail]
        return sorted(head, key=lambda c: -c.score) + tail

    def _popularity(self, item: Item, scale: float) -> float:
        collaborative = self.context.collaborative
        if collaborative is not None:
            return collaborative.popularity(item.id) / scale
        return self._catalog_pop(item)  # the catalog's own counts: one row may lie

    def _log_pop_scale(self) -> float:
        """The collaborative log-popularity that scores 1.0 (and the catalog's own scale),
        computed once per catalog version (from its arrays: no pass over a million items)."""
        arrays, collaborative = self.context.memory.arrays(), self.context.collaborative
        if self._max_log_pop is None or self._scaled_for is not arrays:
            if collaborative is not None:
                # only items the dialogues mention have a collaborative popularity above 0
                known = (i for i in collaborative.mentions if i in arrays.row)
                top = max(map(collaborative.popularity, known), default=0.0)
            else:
                top = 0.0
                self._catalog_pop = arrays.popularity_scale
            self._max_log_pop, self._scaled_for = max(top, 1.0), arrays
        return self._max_log_pop


COLD_PEERS = 10  # established candidates a new item is compared with


def _impute_cold_items(
    candidates: list[Candidate], signals: list[dict[str, float]], weights: dict[str, float]
) -> list[dict[str, float]]:
    """Item cold start: an item whose popularity is unknown (just added) has no mentions and no
    co-occurrence yet, which would rank it below every established item whatever its text says.
    It gets the median popularity of the established candidates that would otherwise be shown
    (those it competes with for a place), and a co-occurrence score in proportion to how close it is to the items the user
    named, so that its content decides."""
    cold = [i for i, c in enumerate(candidates) if c.item.popularity is None]
    if not cold or len(cold) == len(candidates):
        return signals
    warm = [s for c, s in zip(candidates, signals, strict=True) if c.item.popularity is not None]
    peers = sorted(warm, key=lambda s: -sum(weights.get(k, 0.0) * v for k, v in s.items()))[
        :COLD_PEERS
    ]
    median_pop = statistics.median(s["popularity"] for s in peers)
    related = sorted((s["collaborative"] for s in warm if s["collaborative"] > 0), reverse=True)
    typical = statistics.median(related[:10]) if related else 0.0
    for i in cold:
        signals[i]["popularity"] = median_pop
        signals[i]["suggested"] = statistics.median(s.get("suggested", 0.0) for s in peers)
        signals[i]["collaborative"] = typical * max(signals[i]["seed_similarity"], 0.0)
        # the learned ranker's finer co-occurrence signals get the same content-based stand-in
        signals[i]["collab_max"] = signals[i]["collab_last"] = signals[i]["collaborative"]
        signals[i]["collab_count"] = statistics.median(s.get("collab_count", 0.0) for s in peers)
    return signals
