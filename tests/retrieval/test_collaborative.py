"""The co-occurrence model: counts, held-out folds, liked-together bonus, persistence."""

from __future__ import annotations

import pytest

from retrieval.collaborative import CoOccurrence, DialogueMentions

DIALOGUES = [
    DialogueMentions("d1", ["alien", "aliens", "terminator"], liked={"alien", "aliens"}),
    DialogueMentions("d2", ["alien", "aliens"]),
    DialogueMentions("d3", ["alien", "notebook"]),
]


def test_people_who_named_a_movie_point_to_its_companions():
    model = CoOccurrence.build(DIALOGUES)
    related = model.related(["alien"])
    # alien is in 3 dialogues: with aliens twice (once liked together: 2 + 1), terminator, notebook once
    assert related["aliens"] == pytest.approx(3 / 3)
    assert related["terminator"] == pytest.approx(1 / 3)
    assert max(related, key=related.get) == "aliens"
    assert model.mentions["alien"] == 3


def test_held_out_dialogues_do_not_count():
    model = CoOccurrence.build(DIALOGUES, exclude={"d3"})
    assert "notebook" not in model.related(["alien"])
    assert model.dialogues == 2


def test_saved_model_loads_back_the_same(tmp_path):
    model = CoOccurrence.build(DIALOGUES)
    model.save(tmp_path / "models" / "cooccurrence.json")
    loaded = CoOccurrence.load(tmp_path / "models" / "cooccurrence.json")
    assert loaded.related(["aliens"]) == model.related(["aliens"])
    assert loaded.popularity("alien") == model.popularity("alien")
