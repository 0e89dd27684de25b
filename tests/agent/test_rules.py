from __future__ import annotations

import pytest

from agent.intent.rules import RuleIntentModel
from agent.schema import Intent
from retrieval.entity_linker import EntityLinker


@pytest.fixture(scope="module")
def rules(redial_items):
    return RuleIntentModel(EntityLinker(redial_items), {g for i in redial_items for g in i.genres})


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("hi there", Intent.CHITCHAT),
        ("I loved Alien and Aliens", Intent.PREFERENCE),
        ("recommend me something with time travel", Intent.REQUEST),
        ("seen it", Intent.SEEN),
        ("not that one", Intent.REJECT),
        ("more like the second one", Intent.CRITIQUE),
        ("something lighter please", Intent.CRITIQUE),
        ("what is the third one about?", Intent.INQUIRE),
        ("sounds great, I'll watch it", Intent.ACCEPT),
        ("thanks, bye", Intent.END),
    ],
)
def test_intents_of_typical_reactions(rules, message, intent):
    assert rules.propose(message, last_shown=5).intent == intent


def test_slots_titles_genres_years_people(rules):
    act = rules.propose("I hated Titanic but loved Toy Story; a comedy from the 90s, no horror")
    titles = lambda ids: [rules.linker.item(i).display_title for i in ids]
    assert titles(act.disliked_items) == ["Titanic (1997)"]
    assert titles(act.liked_items) == ["Toy Story (1995)"]
    assert act.liked_genres == ["comedy"] and act.disliked_genres == ["horror"]
    assert (act.year_min, act.year_max) == (1990, 1999)
    assert rules.propose("anything with Tom Hanks").people == ["Tom Hanks"]
    assert rules.propose("something with time travel").query == "time travel"


def test_critiques_rule_out_genres(rules):
    assert {"horror", "war"} <= set(rules.propose("something less violent", 5).disliked_genres)
    assert rules.propose("too scary", 5).disliked_genres == ["horror"]
    assert rules.propose("I've seen the second and the fourth", 5).positions == [2, 4]


def test_titles_the_catalog_lacks_are_reported_not_dropped(redial_items):
    catalog = [i for i in redial_items if i.title != "Amélie"]
    rules = RuleIntentModel(EntityLinker(catalog), {g for i in catalog for g in i.genres})
    act = rules.propose("I loved Amélie and Alien")
    assert act.unknown_titles == ["Amélie"]
    assert [rules.linker.item(i).title for i in act.liked_items] == ["Alien"]
    assert rules.propose('have you seen "Quantum Frogs Forever"?').unknown_titles == [
        "Quantum Frogs Forever"
    ]
    assert rules.propose("I like Comedy with Tom Hanks").unknown_titles == []


def test_a_common_phrase_is_no_reason(rules):
    act = rules.propose("something for date night with my 8 year old")
    assert act.liked_items == [] and act.seen_items == [] and act.unknown_titles == []
