from __future__ import annotations

import numpy as np
import pytest

from retrieval.memory import ItemMemory
from retrieval.schema import AttributeLimits, ItemFilter

FILTERS = [
    ItemFilter(),
    ItemFilter(include_genres=["comedy"]),
    ItemFilter(include_genres=["comedy", "horror"], year_min=1990, year_max=1999),
    ItemFilter(exclude_genres=["horror", "war"]),
    ItemFilter(include_genres=["animation"], exclude_genres=["comedy"], year_min=2000),
    ItemFilter(year_max=1985),
    ItemFilter(include_genres=["no-such-genre"]),
]


@pytest.fixture
def memory(index, small_items):
    # rows without genres or a year: Chroma has no key to compare, which the masks must follow
    bare = [
        small_items[0].model_copy(update={"id": "bare-1", "genres": [], "year": None}),
        small_items[1].model_copy(update={"id": "bare-2", "genres": [], "year": 1995}),
    ]
    index.add(bare, progress=False)
    return ItemMemory(index)


@pytest.mark.parametrize("filter", FILTERS)
def test_exact_search_passes_what_the_chroma_filter_passes(memory, index, filter):
    vector = index.embedder.embed(["a funny space adventure"])[0]
    excluded = [c.item.id for c in index.search(vector, k=3)]
    filter = filter.model_copy(update={"exclude_ids": excluded})
    everything = len(index)
    mine = memory.search(vector, k=everything, filter=filter)
    chroma = index.search(vector, k=everything, filter=filter)
    assert {c.item.id for c in mine} == {c.item.id for c in chroma}
    assert all(filter.accepts(c.item) for c in mine)
    by_id = {c.item.id: c.retrieval_score for c in chroma}
    assert all(abs(c.retrieval_score - by_id[c.item.id]) < 1e-5 for c in mine)
    scores = [c.score for c in mine]
    assert scores == sorted(scores, reverse=True)


def test_words_and_limits_are_checked_until_k_items_pass(memory, index):
    vector = index.embedder.embed(["people get killed"])[0]
    items = memory.items()
    star = next(n for it in items.values() for n in it.people.get("star", []))
    filter = ItemFilter(
        exclude_text_terms=["kill*", "murder*"], limits=AttributeLimits(not_people=[star])
    )
    found = memory.search(vector, k=25, filter=filter)
    # the 25 best of every item that passes, ranked by hand
    matrix = memory.vectors(list(items))
    ranked = sorted(
        (float(v @ vector), id_)
        for id_, v in zip(items, matrix, strict=True)
        if filter.accepts(items[id_])
    )[::-1][:25]
    assert [c.item.id for c in found] == [id_ for _, id_ in ranked]
    assert len(found) == 25


def test_vectors_of_an_unknown_item_are_zero(memory):
    some = next(iter(memory.items()))
    vectors = memory.vectors([some, "deleted-long-ago"])
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-4)
    assert not vectors[1].any()
