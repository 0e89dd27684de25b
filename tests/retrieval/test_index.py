from __future__ import annotations

from retrieval.index import ItemIndex
from retrieval.schema import ItemFilter


def test_reindexing_is_incremental_and_idempotent(index, small_items):
    again = index.add(small_items, progress=False)
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(small_items))

    changed = small_items[0].model_copy(update={"text": small_items[0].text + " Extended cut."})
    report = index.add([changed], progress=False)
    assert (report.added, report.updated) == (0, 1)
    assert index.items()[changed.id].text.endswith("Extended cut.")


def test_new_item_is_searchable_at_once_and_survives_reopening(index, embedder, new_item):
    new = new_item
    assert index.add([new], progress=False).added == 1

    hits = index.search("cats travelling through parallel universes", k=3)
    assert hits[0].item.id == "new-1"
    reopened = ItemIndex(index.path, embedder)
    assert reopened.search("cats travelling through parallel universes", k=1)[0].item.id == "new-1"


def test_metadata_filters_apply_in_queries(index):
    hits = index.search(
        "space monsters",
        k=30,
        filter=ItemFilter(exclude_genres=["horror"], year_min=1980, year_max=1999),
    )
    assert hits
    for hit in hits:
        assert "horror" not in hit.item.genres and 1980 <= hit.item.year <= 1999

    comedies = index.search("space monsters", k=10, filter=ItemFilter(include_genres=["comedy"]))
    assert comedies and all("comedy" in h.item.genres for h in comedies)


def test_excluded_ids_never_come_back(index):
    first = index.search("space monsters", k=5)
    ids = [c.item.id for c in first]
    second = index.search("space monsters", k=5, filter=ItemFilter(exclude_ids=ids))
    assert len(second) == 5 and not set(ids) & {c.item.id for c in second}


def test_a_write_through_another_index_object_is_seen_at_once(index, embedder, new_item):
    reader = index
    reader.search("cats travelling through parallel universes", k=3)  # catalog read and kept
    writer = ItemIndex(index.path, embedder)
    new = new_item
    writer.add([new], progress=False)

    hits = reader.search(
        "cats travelling through parallel universes",
        k=3,
        filter=ItemFilter(include_genres=["comedy"]),
    )
    assert hits[0].item.id == "new-1" and "new-1" in reader.items()

    assert writer.delete(["new-1", "no-such-id"]) == ["new-1"]
    assert "new-1" not in reader.items()
    assert "new-1" not in [c.item.id for c in reader.search("cats in parallel universes", k=5)]


def test_a_corrected_popularity_or_genre_is_an_update(index, small_items):
    item = small_items[0]
    poisoned = item.model_copy(update={"popularity": 1e12})
    assert index.add([poisoned], progress=False).updated == 1
    fixed = index.add([item], progress=False)
    assert (fixed.updated, fixed.unchanged) == (1, 0)
    assert index.items()[item.id].popularity == item.popularity

    genre = item.genres[0]
    index.add([item.model_copy(update={"genres": []})], progress=False)
    found = index.search(item.document(), k=50, filter=ItemFilter(include_genres=[genre]))
    assert item.id not in [c.item.id for c in found]  # the old genres are gone with the row
