from __future__ import annotations

import pytest

from retrieval.entity_linker import EntityLinker


@pytest.fixture(scope="module")
def linker(redial_items):
    return EntityLinker(redial_items)


def titles(linker, text):
    return [linker.item(m.item_id).display_title for m in linker.find_titles(text)]


def test_finds_titles_longest_first_with_years(linker):
    assert titles(linker, "I loved Alien and Aliens") == ["Alien (1979)", "Aliens (1986)"]
    assert titles(linker, "like Back to the Future please") == ["Back to the Future (1985)"]
    assert titles(linker, "Have you seen Super Troopers (2001)?") == ["Super Troopers (2001)"]


def test_typos_in_capitalised_titles_are_forgiven(linker):
    assert titles(linker, "I loved The Shinning and Jurasic Park") == [
        "The Shining (1980)", "Jurassic Park (1993)"]
    assert titles(linker, "Hello, I am Looking For A Scary Movie") == []


def test_ordinary_words_are_not_titles(linker):
    assert titles(linker, "It was up to her, something lighter maybe") == []
    assert titles(linker, "I want a comedy") == []


def test_people_and_fuzzy_resolution(linker):
    assert linker.find_people("anything with Tom Hanks?") == ["Tom Hanks"]
    assert linker.resolve("the shinning").display_title == "The Shining (1980)"
    assert linker.resolve("zzzz qqqq") is None
