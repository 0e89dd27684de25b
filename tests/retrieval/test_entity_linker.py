from __future__ import annotations

import pytest

from retrieval.entity_linker import EntityLinker
from retrieval.schema import Item


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
        "The Shining (1980)",
        "Jurassic Park (1993)",
    ]
    assert titles(linker, "Hello, I am Looking For A Scary Movie") == []


def test_ordinary_words_are_not_titles(linker):
    assert titles(linker, "It was up to her, something lighter maybe") == []
    assert titles(linker, "I want a comedy") == []


def test_people_and_fuzzy_resolution(linker):
    assert linker.find_people("anything with Tom Hanks?") == ["Tom Hanks"]
    # several names, anywhere in the text, in the catalog's order whatever the text's
    both = linker.find_people("meryl streep or TOM HANKS, or Tom Hank")
    assert sorted(both) == ["Meryl Streep", "Tom Hanks"]
    assert linker.find_people("tom hanks and meryl streep") == both
    assert linker.find_people("Tom and Hanks, Streep") == []
    assert linker.resolve("the shinning").display_title == "The Shining (1980)"
    assert linker.resolve("zzzz qqqq") is None


def test_a_title_of_everyday_words_needs_quotes_or_title_case(redial_items):
    from agent.intent.rules import RuleIntentModel
    from agent.schema import Intent
    from retrieval.schema import Item

    catalog = [*redial_items, Item(id="sg", title="Sounds Good", year=2020)]
    linker = EntityLinker(catalog)
    rules = RuleIntentModel(linker, {g for i in catalog for g in i.genres})

    act = rules.propose("sounds good, thanks", last_shown=5)
    assert act.liked_items == [] and act.intent != Intent.PREFERENCE
    assert titles(linker, "Sounds good, thanks") == []  # a capital that starts a sentence
    assert titles(linker, 'I loved "Sounds Good"') == ["Sounds Good (2020)"]
    assert titles(linker, "I loved “sounds good”") == ["Sounds Good (2020)"]
    assert rules.propose('I loved "Sounds Good"').liked_items == ["sg"]
    assert titles(linker, "i loved the sound of music") == ["The Sound of Music (1965)"]


def test_sync_follows_added_changed_and_deleted_items(redial_items):
    from retrieval.schema import Item

    alien = next(i for i in redial_items if i.title == "Alien")
    linker = EntityLinker([alien])
    new = Item(id="q", title="Quantum Cats")
    linker.sync({alien.id: alien, new.id: new})
    assert [m.item_id for m in linker.find_titles("I loved Quantum Cats")] == ["q"]
    linker.sync({new.id: new.model_copy(update={"title": "Quantum Dogs"})})
    assert linker.find_titles("I loved Alien and Quantum Cats") == []
    assert [m.item_id for m in linker.find_titles("I loved Quantum Dogs")] == ["q"]


def test_common_phrases_that_are_titles_stay_words(linker):
    for text in (
        "I'd like something for date night",
        "my 8 year old wants a movie",
        "I want to watch the game later",
        "cheer me up",
        "I love it",
        "I saw her",
        "I'm home alone tonight, something scary",
        "Hello, I am Looking For A Scary Movie",
    ):
        assert titles(linker, text) == [], text


def test_lower_case_titles_link_when_cued_listed_or_distinctive(linker):
    assert titles(linker, "have you seen get out?") == ["Get Out (2017)"]
    assert titles(linker, "i liked It") == ["It (2017)"]
    assert titles(linker, "I love ones like Finding Nemo, Up, WALL-E") == [
        "Finding Nemo (2003)",
        "Up (2009)",
        "WALL-E (2008)",
    ]
    assert titles(linker, "the silence of the lambs scared me") == [
        "The Silence of the Lambs (1991)"
    ]
    assert titles(linker, "I really liked home aloen") == ["Home Alone (1990)"]  # a typo
    # ReDial contexts name movies as "Title (Year)": the year marks a title.
    assert titles(linker, "Up (2009) and It (2017) were great") == ["Up (2009)", "It (2017)"]


def test_namesakes_resolve_to_the_famous_one_or_the_one_the_message_names(linker):
    found = linker.find_titles("I loved the notebook, cried a lot")
    assert [linker.item(m.item_id).display_title for m in found] == ["The Notebook (2004)"]
    assert found[0].ambiguous
    assert titles(linker, "I liked Jumanji, the 1995 one") == ["Jumanji (1995)"]
    assert titles(linker, "loved Jumanji with Robin Williams") == ["Jumanji (1995)"]
    assert not linker.find_titles("I liked Titanic (1997)")[0].ambiguous


def test_an_everyday_phrase_after_a_cue_is_no_typo_of_a_title():
    linker = EntityLinker(
        [
            Item(id="sm", title="Scary Movie", year=2000, popularity=50),
            Item(id="ha", title="Home Alone", year=1990, popularity=40),
        ]
    )
    assert linker.find_titles("I like to watch scary movies") == []
    assert [m.item_id for m in linker.find_titles("I really liked home aloen")] == ["ha"]


def test_coined_titles_link_in_lower_case_without_a_cue(linker):
    # Not dictionary words, so nothing but titles; words that are also titles still need a cue.
    assert titles(linker, "superbad and beetlejuice both") == [
        "Superbad (2007)",
        "Beetlejuice (1988)",
    ]
    assert titles(linker, "Will look at moana too.") == ["Moana (2016)"]
    assert titles(linker, "avatar is sci fantasy if you ask me") == []


def test_lower_case_typos_link_but_misspelt_everyday_words_do_not(linker):
    assert titles(linker, "has action. I liked braveheart And also jurasssic park") == [
        "Braveheart (1995)",
        "Jurassic Park (1993)",
    ]
    assert titles(linker, "big fan of blily madison") == ["Billy Madison (1995)"]
    for text in (
        "i realy liked that one",
        "somethign funny please",
        "I'm looking for a scray movie",
    ):
        assert titles(linker, text) == [], text


def test_a_typo_after_a_shorter_title_completes_the_longer_one(linker):
    # "Wonder" and "Prettty"'s "Woman" are titles too; the misspelt word shows which one is meant.
    assert titles(linker, "wonder wman was great") == ["Wonder Woman (2017)"]
    assert titles(linker, "Prettty Woman Is a classic") == ["Pretty Woman (1990)"]
    assert titles(linker, "The Sceret Life of Pets") == ["The Secret Life of Pets (2016)"]


def test_new_and_original_choose_among_same_titled_items(linker):
    assert titles(linker, "have you seen the new jumanji") == ["Jumanji (2017)"]
    assert titles(linker, "I loved the original jumanji") == ["Jumanji (1995)"]
