from __future__ import annotations

import pytest

from finetune.intent.slots import score


def test_slot_scores_forgive_years_plurals_and_genre_synonyms():
    gold = [{"title": ["Alien", "It"], "genre": ["thrillers", "scary"], "person": []}]
    predicted = [{"title": ["Alien (1979)"], "genre": ["thriller", "horror", "comedy"],
                  "person": ["Tom Hanks"]}]
    result = score(gold, predicted)
    assert result["title"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
                               "gold": 2}
    assert result["genre"]["precision"] == pytest.approx(2 / 3) and result["genre"]["recall"] == 1
    assert result["person"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "gold": 0}
