"""A catalog change is read by the ids it touched: every in-memory copy (items, arrays, linker)
ends where a fresh read would, and a change that cannot be known is read in full."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from retrieval.change_journal import ChangeJournal
from retrieval.change_log import MAX_BYTES, MAX_IDS, MAX_ROWS, ChangeLog, union
from retrieval.collection import CHECK_INTERVAL
from retrieval.entity_linker import EntityLinker
from retrieval.item_arrays import ItemArrays
from retrieval.memory import ItemMemory
from retrieval.schema import ItemFilter

FILTERS = [
    ItemFilter(),
    ItemFilter(include_genres=["comedy"]),
    ItemFilter(include_genres=["sci-fi", "horror"], year_min=1980),
    ItemFilter(exclude_genres=["comedy"]),
]


def test_each_process_reads_the_ids_the_others_wrote(tmp_path):
    writer, reader = ChangeLog(tmp_path), ChangeLog(tmp_path)  # as two processes would
    assert reader.read_new() == []
    writer.append(["a", "b"])  # the first write makes the file: nothing is lost
    writer.append(["c"])
    assert union(reader.read_new()) == {"a", "b", "c"}
    assert reader.read_new() == []
    late = ChangeLog(tmp_path)  # a process started now reads only what comes after
    writer.append(["d"])
    assert union(late.read_new()) == {"d"} and union(reader.read_new()) == {"d"}
    rows = {"e": {"metadata": {"title": "E"}, "embedding": [0.5, 0.25]}, "f": None}
    writer.append(["e", "f"], rows)  # a small write carries what it wrote
    writer.append(
        [str(i) for i in range(MAX_ROWS + 1)], dict.fromkeys(map(str, range(MAX_ROWS + 1)))
    )
    small, large = reader.read_new()
    assert small.rows == rows and large.rows is None and len(large.ids) == MAX_ROWS + 1


def test_what_a_log_cannot_say_is_unknown(tmp_path):
    writer, reader = ChangeLog(tmp_path), ChangeLog(tmp_path)
    writer.append([str(i) for i in range(MAX_IDS + 1)])  # a bulk write
    assert union(reader.read_new()) is None
    with open(writer.path, "a", encoding="utf-8") as log:
        log.write("not json\n")
    assert union(reader.read_new()) is None
    with open(writer.path, "a", encoding="utf-8") as log:
        log.write("x" * MAX_BYTES + "\n")
    writer.append(["e"])  # the file starts afresh: a reader lost its place
    assert reader.read_new() is None
    writer.append(["f"])
    assert union(reader.read_new()) == {"f"}


def test_the_journal_answers_for_the_generations_it_knows():
    journal = ChangeJournal()
    start = journal.generation
    journal.record({"a"})
    middle = journal.record({"b"})
    assert journal.touched_since(start) == {"a", "b"}
    assert journal.touched_since(middle) == set()
    journal.record(None)
    assert (
        journal.touched_since(start) is None and journal.touched_since(journal.generation) == set()
    )


@pytest.fixture
def changed(index, small_items, new_item):
    """An index read into memory, then changed: one item added, one retitled and moved to
    another genre, one deleted. Returns (memory, the arrays before, the changed ids)."""
    memory = ItemMemory(index)
    before = memory.arrays()
    version = index.version
    retitled = small_items[3].model_copy(
        update={"title": "The Retitled One", "genres": ["comedy"], "text": "A comedy of cats."}
    )
    index.add([new_item, retitled], progress=False)
    index.delete([small_items[5].id])
    touched = {new_item.id, retitled.id, small_items[5].id}
    assert index.changed_since(version) == touched  # read by its ids, not in full
    return memory, before, touched


def test_updated_arrays_search_as_a_fresh_read_does(changed, index, embedder):
    memory, before, touched = changed
    after = memory.arrays()
    assert after is not before and len(before.ids) < len(after.ids)  # extended, not rebuilt
    fresh = ItemArrays(index.items(), *index.all_embeddings(list(index.items())))
    texts = ["cats travelling through parallel universes", "a comedy of cats", "space horror"]
    for vector in embedder.embed(texts):
        for filter in FILTERS:
            got = [(c.item.id, round(c.score, 5)) for c in after.search(vector, 10, filter)]
            want = [(c.item.id, round(c.score, 5)) for c in fresh.search(vector, 10, filter)]
            assert got == want
    # the old copy, which a turn may still hold, is untouched
    assert "new-1" not in before.row and "new-1" in after.row
    assert touched - {"new-1"} <= set(before.row)
    assert before.search(vector, 10, ItemFilter())[0].item.id in before.row


def test_linker_follows_a_change_by_its_ids(changed, small_items):
    memory, _, _ = changed
    linker = EntityLinker([])
    linker.follow(memory)
    assert [m.item_id for m in linker.find_titles("I loved Quantum Cats")] == ["new-1"]
    version = memory.version
    renamed = memory.items()["new-1"].model_copy(update={"title": "Quantum Dogs"})
    memory.index.add([renamed], progress=False)
    assert memory.index.changed_since(version) == {"new-1"}
    linker.follow(memory)
    assert [m.item_id for m in linker.find_titles("I loved Quantum Dogs")] == ["new-1"]
    assert not linker.find_titles('I loved "Quantum Cats"')
    assert [m.item_id for m in linker.find_titles("I loved The Retitled One")] == [
        small_items[3].id
    ]
    old_title = f'I loved "{small_items[3].title}"'
    assert small_items[3].id not in [m.item_id for m in linker.find_titles(old_title)]


def test_another_process_writing_to_the_folder_is_read_by_its_ids(index, new_item, tmp_path):
    memory = ItemMemory(index)
    memory.arrays()
    version, size = index.version, len(index)
    catalog = tmp_path / "new.jsonl"
    catalog.write_text(json.dumps(new_item.model_dump(mode="json")) + "\n", encoding="utf-8")
    db = index.path.parent
    done = subprocess.run(
        [sys.executable, "-m", "convrec", "index", "--catalog", str(catalog), "--db", str(db)]
        + ["--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    time.sleep(CHECK_INTERVAL)

    assert index.version != version
    assert index.changed_since(version) == {new_item.id}  # read by its id, not in full
    vector = index.embedder.embed(["cats travelling through parallel universes"])[0]
    assert memory.search(vector, 3, ItemFilter())[0].item.id == new_item.id
    assert np.isclose(memory.vectors([new_item.id])[0] @ index.embeddings([new_item.id])[0], 1.0)
    # read from the rows the write logged; Chroma itself sees the row when next asked
    assert len(index) == size + 1
    hits = index.search("cats travelling through parallel universes", k=3)
    assert hits[0].item.id == new_item.id


def test_a_released_store_still_reads_and_writes(index, new_item):
    memory = ItemMemory(index)
    memory.arrays()
    version = index.version
    index.release()  # Chroma's own copy dropped once the catalog is in memory
    assert index.version == version  # nothing changed: no copy is read again
    index.add([new_item], progress=False)
    assert index.changed_since(version) == {new_item.id}
    vector = index.embedder.embed(["cats travelling through parallel universes"])[0]
    assert memory.search(vector, 1, ItemFilter())[0].item.id == new_item.id
    assert index.search("cats travelling through parallel universes", k=1)[0].item.id == "new-1"
