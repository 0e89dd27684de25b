from __future__ import annotations

import pytest

from finetune.intent.slots import score, year_range


def test_slot_scores_forgive_years_plurals_and_genre_synonyms():
    gold = [{"title": ["Alien", "It"], "genre": ["thrillers", "scary"], "person": []}]
    predicted = [
        {
            "title": ["Alien (1979)"],
            "genre": ["thriller", "horror", "comedy"],
            "person": ["Tom Hanks"],
        }
    ]
    result = score(gold, predicted)
    assert result["title"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
        "gold": 2,
        "predicted": 1,
        "correct": 1,
    }
    assert result["genre"]["precision"] == pytest.approx(2 / 3) and result["genre"]["recall"] == 1
    assert result["person"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "gold": 0,
        "predicted": 1,
        "correct": 0,
    }


def test_slot_scores_per_type_and_micro_over_turns():
    gold = [
        {"title": ["Alien", "Titanic"], "person": ["Tom Hanks"], "year": ["80's"]},
        {"genre": ["comedy"], "year": ["before 2000"]},
        {},
    ]
    predicted = [
        {"title": ["Alien"], "person": ["Tom Hanks", "Meg Ryan"], "year": ["1980-1989"]},
        {"genre": ["comedy"], "year": ["1990-1999"]},
        {"title": ["Toy Story"]},
    ]
    result = score(gold, predicted)
    # title: 1 of 2 predictions right, 1 of 2 gold found.
    assert (result["title"]["precision"], result["title"]["recall"]) == (0.5, 0.5)
    assert result["person"]["precision"] == 0.5 and result["person"]["recall"] == 1.0
    assert result["person"]["f1"] == pytest.approx(2 / 3)
    assert result["genre"]["f1"] == 1.0
    # year: the decade matches, "1990-1999" is not "before 2000".
    assert (result["year"]["correct"], result["year"]["gold"]) == (1, 2)
    # micro: correct 1+1+1+1 = 4, predicted 2+2+1+2 = 7, gold 2+1+1+2 = 6.
    micro = result["micro"]
    assert (micro["correct"], micro["predicted"], micro["gold"]) == (4, 7, 6)
    assert micro["precision"] == pytest.approx(4 / 7) and micro["recall"] == pytest.approx(4 / 6)
    assert micro["f1"] == pytest.approx(2 * (4 / 7) * (4 / 6) / (4 / 7 + 4 / 6))


def test_a_gold_value_is_matched_once():
    result = score([{"title": ["Alien"]}], [{"title": ["Alien", "Alien (1979)"]}])
    assert (result["title"]["correct"], result["title"]["precision"]) == (1, 0.5)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("80's", (1980, 1989)),
        ("the 1960s", (1960, 1969)),
        ("00s", (2000, 2009)),
        ("before 2000", (None, 2000)),
        ("after 2010", (2010, None)),
        ("1995", (1995, 1995)),
        ("1990-", (1990, None)),
        ("-1989", (None, 1989)),
        ("1980-1989", (1980, 1989)),
        ("new", None),
    ],
)
def test_year_phrases_become_ranges(text, years):
    assert year_range(text) == years
