"""The agent on a book catalog (a goodbooks-10k sample): book words, authors, series, ratings,
genres outside the movie lexicon, questions, cards, and a book added while chatting."""

from __future__ import annotations

import pytest

from agent.attribute_reader import AttributeReader
from agent.domain import MOVIES, byline, profile_of
from agent.schema import DialogueState, Intent, UserAct
from retrieval.entity_linker import EntityLinker


@pytest.fixture
def agent(books_db):
    from agent import Settings, build_agent

    return build_agent(Settings(db=books_db, llm="none"))


def _talk(agent, *messages):
    turns = [agent.reply("reader", m) for m in messages]
    return turns[-1]


def _books(agent, turn):
    items = agent.items()
    return [items[r.id] for r in turn.items]


def test_the_catalog_is_books_by_authors(agent, book_items):
    assert (agent.profile.noun, agent.profile.roles, agent.profile.movies) == (
        "book",
        ("author",),
        False,
    )
    assert profile_of(book_items).plural == "books"
    hello = agent.reply("reader", "hi")
    assert "books" in hello.reply and "movie" not in hello.reply.lower()
    assert "books" in agent.reply("reader", "bye").reply


def test_a_series_name_means_its_first_book(agent):
    turn = _talk(agent, "I loved Mistborn")
    assert turn.state.liked_items == ["389"]  # The Final Empire (Mistborn, #1)
    assert "don't have" not in turn.reply
    assert "next in the Mistborn series" in turn.items[0].reason or any(
        "Mistborn series" in r.reason for r in turn.items
    )


def test_an_author_by_last_name_is_a_hard_limit_and_a_reason(agent):
    turn = _talk(agent, "anything by Sanderson?")
    assert len(turn.items) >= 3
    assert all("Brandon Sanderson" in b.people["author"] for b in _books(agent, turn))
    assert all(r.reason.startswith("By Brandon Sanderson") for r in turn.items)
    assert all(r.byline == "by Brandon Sanderson" for r in turn.items)
    turn = _talk(agent, "nothing by Brandon Sanderson, some fantasy")
    assert turn.items and all(
        "Brandon Sanderson" not in b.people["author"] for b in _books(agent, turn)
    )


def test_same_author_follows_the_liked_book(agent):
    turn = _talk(agent, "I loved The Shining", "more by the same author")
    assert len(turn.items) == 5
    assert all("Stephen King" in b.people["author"] for b in _books(agent, turn))
    assert "by the same author, Stephen King" in turn.reply


def test_genres_outside_the_movie_lexicon(agent):
    turn = _talk(agent, "a fantasy book", "not young adult")
    books = _books(agent, turn)
    assert len(books) == 5
    assert all("fantasy" in b.genres and "young-adult" not in b.genres for b in books)
    assert "young-adult" in turn.state.disliked_genres


def test_a_rating_limit_and_a_year(agent):
    turn = _talk(agent, "a book rated above 4.3 published after 2005")
    books = _books(agent, turn)
    assert len(books) == 5
    assert all(b.attributes["average_rating"] >= 4.3 and b.year >= 2005 for b in books)
    assert turn.state.limits.minimum == {"average_rating": 4.3}


def test_a_standalone_and_the_next_in_a_series(agent):
    books = _books(agent, _talk(agent, "a fantasy standalone, not a series"))
    assert books and all("series" not in b.attributes for b in books)
    # Asking for a series' next book lifts "a standalone".
    liked = _talk(agent, "I loved The Hunger Games")
    turn = _talk(agent, "the next one in the series")
    shown = [r.title for r in liked.items + turn.items]
    assert "Catching Fire" in shown, shown
    assert turn.items and all(
        b.attributes["series_name"] == "The Hunger Games" for b in _books(agent, turn)
    )
    catching_fire = next(r for r in liked.items + turn.items if r.title == "Catching Fire")
    assert "next in The Hunger Games series" in catching_fire.reason


def test_classic_is_no_year_limit_for_books(agent):
    turn = _talk(agent, "a cozy classic")
    assert turn.state.year_max is None and "classics" in turn.state.required_genres
    assert all("classics" in b.genres for b in _books(agent, turn))


def test_questions_about_books_are_answered_from_their_fields(agent):
    _talk(agent, "I loved The Hunger Games")
    first = agent.state("reader").last_shown[0]
    book = agent.items()[first]
    answer = agent.reply("reader", "who wrote the first one?")
    assert answer.action == "answer" and book.people["author"][0] in answer.reply
    series = agent.reply("reader", "is it part of a series?").reply
    assert ("series" in series) and ("director" not in series)
    rated = agent.reply("reader", "how is it rated?").reply
    assert f"{book.attributes['average_rating']:.2f}" in rated
    assert agent.state("reader").last_shown[0] == first  # questions leave the picks alone


def test_a_book_added_while_chatting_is_found_and_named(agent):
    from retrieval.schema import Item

    assert _talk(agent, "hi").action == "ask"  # the conversation has started
    new = Item(
        id="new-1",
        title="The Lantern of Saltmere",
        year=2025,
        genres=["fantasy", "mystery"],
        people={"author": ["Ilse Marrowby"]},
        attributes={"series": "Saltmere #1", "series_name": "Saltmere", "series_number": 1},
        text="A lighthouse keeper's apprentice finds a storm spirit trapped in the lantern.",
    )
    agent.pipeline.context.index.add([new], progress=False)
    found = _talk(agent, "now a mystery about a lighthouse keeper and a storm spirit")
    assert "new-1" in [r.id for r in found.items]
    named = _talk(agent, "I loved The Lantern of Saltmere")
    assert "new-1" in named.state.liked_items and "don't have" not in named.reply


def test_movie_catalogs_keep_the_act_as_proposed(book_items):
    act = UserAct(intent=Intent.CHITCHAT, query="rated above")
    reader = AttributeReader(MOVIES, EntityLinker(book_items))
    items = {b.id: b for b in book_items}
    assert reader.read("not young adult, rated above 4.2", act, DialogueState(), items) is act


def test_a_card_names_the_author_but_a_movie_card_no_one(book_items):
    from retrieval.schema import Item
    from ui.cards import card_html

    assert byline(book_items[0]) == "by Suzanne Collins"
    assert byline(Item(id="m", title="M", people={"director": ["Ridley Scott"]})) == ""
    from agent.schema import Recommendation

    card = card_html(Recommendation(id="1", title="T", score=1.0, reason="r", byline="by <Ann>"))
    assert "by &lt;Ann&gt;" in card and "film" not in card


def _read(book_items, message, state=None):
    from agent.domain import profile_of
    from agent.intent.rules import RuleIntentModel

    linker = EntityLinker(book_items)
    profile = profile_of(book_items)
    rules = RuleIntentModel(linker, {g for b in book_items for g in b.genres}, profile)
    reader = AttributeReader(profile, linker)
    return reader.read(
        message, rules.propose(message), state or DialogueState(), {b.id: b for b in book_items}
    )


def test_what_the_reader_takes_from_a_message(book_items):
    act = _read(book_items, "another young adult book by Stephen King, rated 4 stars or more")
    assert "young-adult" in act.liked_genres and not act.disliked_genres
    assert act.limits.people == ["Stephen King"] and act.limits.minimum == {"average_rating": 4.0}
    assert "rated" not in act.query and "stars" not in act.query
    act = _read(book_items, "no YA, and nothing by King")
    assert act.disliked_genres == ["young-adult"] and act.limits.not_people == ["Stephen King"]
    assert _read(book_items, "a book from after 2010").limits.is_empty()  # a year, no rating
    liked = DialogueState(liked_items=["1"])
    other = _read(book_items, "a different author please", liked)
    assert other.limits.not_people == ["Suzanne Collins"]
