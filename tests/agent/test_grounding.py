"""The grounding check: what a generated sentence may say about the items it was given."""

from __future__ import annotations

import pytest

from agent.grounding import GroundingChecker, sentences_of, split_sentences
from retrieval.entity_linker import EntityLinker
from retrieval.schema import Item

ALIEN = Item(
    id="1",
    title="Alien",
    year=1979,
    genres=["horror", "sci-fi"],
    people={"director": ["Ridley Scott"], "star": ["Sigourney Weaver", "Tom Skerritt"]},
    text="The crew of a commercial spacecraft meets a deadly lifeform.",
)
ALIENS = Item(
    id="2",
    title="Aliens",
    year=1986,
    genres=["action", "sci-fi"],
    people={"director": ["James Cameron"], "star": ["Sigourney Weaver", "Michael Biehn"]},
)
TITANIC = Item(
    id="3",
    title="Titanic",
    year=1997,
    genres=["drama", "romance"],
    people={"director": ["James Cameron"], "star": ["Leonardo DiCaprio", "Kate Winslet"]},
)
NOTEBOOK = Item(
    id="4",
    title="The Notebook",
    year=2004,
    genres=["drama", "romance"],
    people={"star": ["Ryan Gosling", "Rachel McAdams"]},
)


@pytest.fixture(scope="module")
def checker() -> GroundingChecker:
    return GroundingChecker(EntityLinker([ALIEN, ALIENS, TITANIC, NOTEBOOK]))


@pytest.mark.parametrize(
    "sentence",
    [
        "You should watch Alien (1979), it is a classic!",
        "Alien is a great sci-fi horror with Sigourney Weaver.",
        "Ridley Scott directed it in 1979.",
        "Have you seen Aliens? It is a great action movie.",
        "Do you like scary movies?",
    ],
)
def test_sentences_true_to_the_given_items_pass(checker, sentence):
    assert checker.check(sentence, [ALIEN, ALIENS]).ok


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("You would love Titanic (1997) too.", "title"),  # a real movie, but not given
        ("Try The Dark Forest (2015), it is great.", "title"),  # invented
        ("Alien (1986) is a must-see.", "year"),  # the sequel's year
        ("It came out in 1992.", "year"),
        ("Alien stars Leonardo DiCaprio.", "person"),  # a real actor, not in the item
        ("Alien was directed by John Doe.", "person"),  # in no catalog at all
        ("Alien is a lovely romance.", "genre"),
        ("I'm sorry, as an AI I can't.", "form"),
        ("Watch @12345 tonight.", "form"),
        ("Dialogue:", "form"),  # the prompt's own words, echoed by the base model
    ],
)
def test_sentences_that_go_beyond_the_facts_fail(checker, sentence, kind):
    verdict = checker.check(sentence, [ALIEN])
    assert not verdict.ok
    assert verdict.kind == kind, verdict.detail


def test_a_genre_the_user_asked_for_may_be_repeated(checker):
    sentence = "If you want a comedy, Alien is not one, but it is great."
    assert not checker.check(sentence, [ALIEN]).ok
    assert checker.check(sentence, [ALIEN], wanted_genres=["comedy"]).ok


def test_sentences_are_complete_only_after_their_end_mark_and_a_space():
    done, rest = split_sentences("Watch Alien (1979). Mr. Smith would")
    assert done == ["Watch Alien (1979)."] and rest == "Mr. Smith would"
    pieces = ["Watch Ali", "en (19", "79). It is", " scary! Enjoy"]
    assert list(sentences_of(pieces)) == ["Watch Alien (1979).", "It is scary!", "Enjoy"]
    # ReDial's "@123 ." copied by the generator: shown without the space before the stop
    pieces = ["The first one was Moana (2016) . Have you seen", " it ?"]
    assert list(sentences_of(pieces)) == ["The first one was Moana (2016).", "Have you seen it?"]


def test_a_liked_movie_may_be_named_again_but_its_people_are_not_given(checker):
    sentence = "Since you loved Titanic, try Alien."
    assert not checker.check(sentence, [ALIEN]).ok
    assert checker.check(sentence, [ALIEN], mentioned=[TITANIC]).ok
    verdict = checker.check("Titanic had Leonardo DiCaprio.", [ALIEN], mentioned=[TITANIC])
    assert verdict.kind == "person"


def test_a_sentence_said_back_word_for_word_is_an_echo(checker):
    said = ["I loved The Terminator", "Great, anything animated?"]
    verdict = checker.check("Great, anything animated?", [ALIEN], said=said)
    assert (verdict.ok, verdict.kind, verdict.detail) == (False, "form", "repeats the dialogue")
    assert checker.check("Thanks!", [ALIEN], said=["Thanks!"]).ok  # too short to be an echo
    assert checker.check("Great, anything tense will do.", [ALIEN], said=said).ok


def test_what_a_story_is_about_must_be_in_the_items_text(checker):
    """A plot claim is held against the item's own text (Arrival "is about a space explorer"
    was shown before: its plot is a linguist and alien crafts)."""
    ok = checker.check("Alien is about a crew that meets a deadly lifeform.", [ALIEN])
    assert ok.ok
    assert checker.check("It is about the crew of a spacecraft.", [ALIEN, TITANIC]).ok
    wrong = checker.check("Alien is about a young wizard at his school.", [ALIEN])
    assert not wrong.ok and wrong.kind == "plot"
    assert not checker.check("It's about a family of farmers.", [ALIEN]).ok
    # a word that only begins like one of the text's is not support ("space" / "spacecraft")
    assert not checker.check("It is about a space explorer.", [ALIEN]).ok
    assert checker.check("Have you seen Alien (1979)? It is a classic.", [ALIEN]).ok  # no claim


def test_a_sentence_that_says_nothing_new_in_the_reply_is_a_repeat(checker):
    said = ["I haven't seen that one."]
    verdict = checker.check("I haven't seen that one either.", [ALIEN], before=said)
    assert not verdict.ok and verdict.kind == "form"
    assert checker.check(
        "Aliens (1986) is a good one too.", [ALIEN, ALIENS], before=["Alien (1979) is a good one."]
    ).ok  # another item: something new
