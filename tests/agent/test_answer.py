"""Questions about items: answered from the item's own fields, never a new list of picks."""

from __future__ import annotations

import pytest

from agent.answer import CLARIFY, Answerer, Topic
from agent.schema import DialogueState
from retrieval.entity_linker import EntityLinker
from retrieval.schema import Item

ITEMS = {
    item.id: item
    for item in [
        Item(
            id="pb",
            title="The Princess Bride",
            year=1987,
            genres=["adventure", "family", "fantasy"],
            people={
                "director": ["Rob Reiner"],
                "writer": ["William Goldman"],
                "star": ["Cary Elwes", "Mandy Patinkin", "Robin Wright"],
            },
            text="A young boy's grandfather reads him the story of a farmboy-turned-pirate "
            "who is to be reunited with his true love.",
        ),
        Item(
            id="ra",
            title="Raising Arizona",
            year=1987,
            genres=["comedy", "crime"],
            people={"director": ["Joel Coen"], "star": ["Nicolas Cage", "Holly Hunter"]},
            text="When a childless couple of an ex-con and an ex-cop decide to help themselves "
            "to one of another family's quintuplets, their lives become more complicated.",
        ),
        Item(
            id="ts",
            title="Toy Story",
            year=1995,
            genres=["adventure", "animation", "comedy"],
            people={"director": ["John Lasseter"], "star": ["Tom Hanks", "Tim Allen"]},
            text="A cowboy doll is profoundly threatened when a new spaceman action figure "
            "supplants him as top toy in a boy's bedroom.",
        ),
        Item(
            id="jw",
            title="John Wick",
            year=2014,
            genres=["action", "crime", "thriller"],
            people={"director": ["Chad Stahelski"], "star": ["Keanu Reeves"]},
            text="An ex-hit-man comes out of retirement to track down the gangsters that killed "
            "his dog.",
        ),
        Item(id="bare", title="Sunset Reels", genres=["drama"]),
        Item(
            id="book",
            title="The Name of the Wind",
            year=2007,
            genres=["fantasy"],
            people={"author": ["Patrick Rothfuss"]},
            text="The tale of the magically gifted young man who grows to be a notorious wizard.",
        ),
    ]
}


@pytest.fixture
def answerer() -> Answerer:
    return Answerer(EntityLinker(list(ITEMS.values())))


def _ask(answerer: Answerer, message: str, **state) -> str | None:
    question = answerer.read(message, DialogueState(**state), ITEMS)
    return None if question is None else answerer.answer(question, ITEMS)


def test_plot_and_date_questions_about_a_named_title_are_both_answered(answerer):
    question = answerer.read(
        "what is the princess bride about? is it ok for a date?", DialogueState(), ITEMS
    )
    assert question.topics == [Topic.PLOT, Topic.DATE] and question.item_ids == ["pb"]
    reply = answerer.answer(question, ITEMS)
    assert "grandfather" in reply and "Yes" in reply and '"true love"' in reply


def test_who_is_in_it_means_the_item_discussed_else_the_first_of_the_list(answerer):
    listed = {"last_shown": ["ts", "jw"]}
    assert (
        _ask(answerer, "Who is in it?", **listed)
        == "Toy Story (1995) stars Tom Hanks and Tim Allen."
    )
    assert "Keanu Reeves" in _ask(answerer, "Who is in it?", discussed="jw", **listed)


def test_the_second_one_ok_for_kids_gets_a_verdict_and_a_reason(answerer):
    reply = _ask(answerer, "Is the second one OK for kids?", last_shown=["ts", "ra"])
    assert reply.startswith("Probably not for kids: Raising Arizona (1987)")
    assert "crime" in reply  # the reason, from the genres
    assert _ask(answerer, "is the first one ok for kids?", last_shown=["ts", "ra"]).startswith(
        "Yes"
    )


def test_who_wrote_the_first_one_on_a_book_catalog_names_the_author(answerer):
    reply = _ask(answerer, "who wrote the first one?", last_shown=["book", "pb"])
    assert reply == "The Name of the Wind (2007) was written by Patrick Rothfuss."


def test_a_missing_field_is_said_to_be_missing(answerer):
    assert _ask(answerer, "who directed Sunset Reels?") == (
        "The catalog doesn't say who directed Sunset Reels."
    )
    assert _ask(answerer, "when did it come out?", discussed="bare") == (
        "The catalog doesn't say when Sunset Reels came out."
    )
    assert _ask(answerer, "what is it about?", discussed="bare").startswith("The catalog doesn't")
    assert "doesn't say whether" in _ask(answerer, "is it scary?", discussed="bare")


def test_the_tom_hanks_one_and_a_comparison(answerer):
    assert _ask(answerer, "is the Tom Hanks one scary?", last_shown=["jw", "ts"]).startswith(
        "Probably not: Toy Story (1995)"
    )
    reply = _ask(answerer, "how is it different from the other one?", last_shown=["ts", "jw"])
    assert "Toy Story (1995)" in reply and "John Wick (2014)" in reply
    assert "John Lasseter" in reply and "Chad Stahelski" in reply


def test_an_unresolvable_referent_gets_a_question_back(answerer):
    assert _ask(answerer, "is the Keanu Reeves one scary?") == CLARIFY


@pytest.mark.parametrize(
    "message",
    [
        "is there something scary like John Wick?",
        "what's a good date movie?",
        "I loved John Wick",
        "recommend me a comedy for the kids",
        "any movies with Tom Hanks?",
        "more like the second one",
    ],
)
def test_requests_are_not_questions_about_items(answerer, message):
    assert answerer.read(message, DialogueState(last_shown=["ts", "jw"]), ITEMS) is None


def test_an_old_saved_state_without_the_discussed_item_still_loads():
    assert DialogueState.model_validate({"last_shown": ["ts"], "turns": 3}).discussed is None


# -- through the agent, over the small ReDial index ------------------------------------------


def test_questions_never_change_the_picks(make_agent):
    agent = make_agent()
    first = agent.reply("q", "I loved Toy Story (1995) and Finding Nemo (2003)")
    before = first.state
    for message in [
        "Is the second one OK for kids?",
        "who is in that one?",
        "what is the princess bride about? is it ok for a date?",
        "Who is in it?",
    ]:
        turn = agent.reply("q", message)
        assert turn.action == "answer" and not turn.items, message
        assert turn.state.model_dump(exclude={"turns", "discussed", "last_reply"}) == (
            before.model_dump(exclude={"turns", "discussed", "last_reply"})
        )
    assert "Cary Elwes" in turn.reply  # "it" is now The Princess Bride
    after = agent.reply("q", "more like the first one")
    agent.reply("plain", "I loved Toy Story (1995) and Finding Nemo (2003)")
    plain = agent.reply("plain", "more like the first one")
    assert [r.id for r in after.items] == [r.id for r in plain.items]


def test_who_is_in_it_after_a_date_night_list_answers_about_the_first_pick(make_agent):
    agent = make_agent()
    picks = agent.reply("d", "I'd like a romantic comedy for tonight")
    turn = agent.reply("d", "Who is in it?")
    assert turn.action == "answer" and not turn.items
    assert picks.items[0].title in turn.reply and "stars" in turn.reply


def test_a_position_past_the_end_of_the_list_is_not_guessed(answerer):
    assert _ask(answerer, "what is the genre of the fifth one?", last_shown=["ts", "jw"]) == CLARIFY
