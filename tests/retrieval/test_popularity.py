"""The catalog's own popularity counts: one absurd row cannot take over the cold-start lists."""

from __future__ import annotations

import math

from retrieval.context import RetrievalContext
from retrieval.pipeline import RecommendationPipeline
from retrieval.popularity import PopularityScale
from retrieval.ranker import Ranker
from retrieval.schema import Item, ItemFilter, RetrievalQuery

GENRE_REQUESTS = ["comedy", "action", "drama"]


def _items(*counts: float | None) -> list[Item]:
    return [Item(id=str(i), title=f"T{i}", popularity=c) for i, c in enumerate(counts)]


def test_sane_counts_are_read_as_before_and_an_absurd_one_counts_as_typical():
    sane = _items(0, 3, 10, 40, 583, None)
    prior = PopularityScale.of(sane)
    assert [prior(it) for it in sane] == [
        math.log1p(c or 0) / math.log1p(583) for c in (0, 3, 10, 40, 583, None)
    ]

    poisoned = [*sane, Item(id="p", title="Poison", popularity=1e12)]
    prior = PopularityScale.of(poisoned)
    assert prior(poisoned[-1]) == prior(sane[2])  # the median item's, not the top
    assert prior(sane[4]) == 1.0  # the others keep their scale


def test_an_absurd_popularity_does_not_take_over_cold_start_lists(index):
    poison = Item(
        id="poison",
        title="Mega Hit",
        year=2015,
        genres=GENRE_REQUESTS,
        text="A film.",
        popularity=1e12,
    )
    index.add([poison], progress=False)
    pipeline = RecommendationPipeline(Ranker(RetrievalContext.of(index)))
    lists = []
    for genre in GENRE_REQUESTS:
        for text in (f"{genre} movie", f"a good {genre} for tonight", f"an exciting {genre} film"):
            query = RetrievalQuery(
                text=text, liked_genres=[genre], filter=ItemFilter(include_genres=[genre])
            )
            lists.append([c.item.id for c in pipeline.recommend(query).candidates])
    assert all(len(ids) == 5 for ids in lists)
    assert sum("poison" in ids for ids in lists) <= len(lists) // 4
