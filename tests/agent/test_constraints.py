"""Moods, audiences and decades as constraints that read the items' text, and wording that
follows the catalog (a book is never a "film")."""

from __future__ import annotations

import re

import pytest

from agent.domain import profile_of
from agent.intent.lexicon import THEMES
from retrieval.schema import Item, ItemFilter

VIOLENT = ItemFilter(exclude_text_terms=list(THEMES["violence"]))
DARK_GENRES = {"horror", "war", "crime", "thriller"}


def _violent(item_id: str, agent) -> str | None:
    return VIOLENT.text_match(agent.items()[item_id])


def test_less_violent_reads_the_plots_not_only_the_genres(make_agent):
    agent = make_agent()
    agent.reply("s", "I love action movies like The Terminator")
    turn = agent.reply("s", "something less violent")
    assert len(turn.items) == 5
    assert not DARK_GENRES & {g for r in turn.items for g in r.genres}
    assert [r.title for r in turn.items if _violent(r.id, agent)] == []
    assert "violence" in turn.reply.split("\n")[0]  # the lead says what was ruled out


def test_violent_plots_are_ruled_out_whatever_their_genres(redial_items):
    from agent.query import build_query
    from agent.schema import DialogueState

    state = DialogueState(
        disliked_genres=["horror", "war", "crime", "thriller"], avoid_themes=["violence"]
    )
    wanted = build_query(state, 5).filter
    # Listed as crime/drama/sci-fi and action/adventure/sci-fi: only their plots say violent.
    refused = ("A Clockwork Orange (1971)", "Mad Max: Fury Road (2015)", "Gladiator (2000)")
    kept = ("Toy Story (1995)", "The Notebook (2004)", "Finding Nemo (2003)")
    _assert_filter(wanted, redial_items, refused, kept)


def _assert_filter(wanted: ItemFilter, items: list[Item], refused, kept) -> None:
    """`wanted` refuses every title of `refused` and accepts every title of `kept`."""
    by_title = {i.display_title: i for i in items}
    for title in refused:
        assert not wanted.accepts(by_title[title]), title
    for title in kept:
        assert wanted.accepts(by_title[title]), title


def test_a_childs_age_is_an_audience_not_a_year(make_agent):
    agent = make_agent()
    turn = agent.reply("s", "something for my 8 year old")
    assert turn.state.year_min is None and turn.state.year_max is None
    assert "year" not in " ".join(turn.state.queries)
    assert len(turn.items) == 5
    assert not {"horror", "thriller"} & {g for r in turn.items for g in r.genres}
    assert not any("matches" in r.reason and "year" in r.reason for r in turn.items)
    assert [r.title for r in turn.items if _violent(r.id, agent)] == []


def test_date_night_leans_to_romance_without_naming_a_title(make_agent):
    agent = make_agent()
    turn = agent.reply("s", "a movie for date night")
    assert turn.state.liked_items == [] and turn.state.required_genres == []
    assert {"romance", "comedy"} <= set(turn.state.liked_genres)
    assert turn.state.year_min is None and turn.state.year_max is None
    assert any({"romance", "comedy"} & set(r.genres) for r in turn.items)


@pytest.mark.parametrize(
    ("message", "years"),
    [
        ("something from the 90s", (1990, 1999)),
        ("movies from the 2000s", (2000, 2009)),
        ("a comedy from the eighties", (1980, 1989)),
    ],
)
def test_decades_become_year_ranges(make_agent, message, years):
    turn = make_agent().reply("s", message)
    assert (turn.state.year_min, turn.state.year_max) == years
    assert all(years[0] <= r.year <= years[1] for r in turn.items)
    assert "eighties" not in " ".join(turn.state.queries)


BOOKS = [
    (
        "b1",
        "Dune",
        1965,
        ["sci-fi"],
        "Frank Herbert",
        "A desert planet, a noble family and the spice that drives an empire of the stars.",
    ),
    (
        "b2",
        "Dune Messiah",
        1969,
        ["sci-fi"],
        "Frank Herbert",
        "Paul Atreides rules an empire of the stars from the desert planet Arrakis.",
    ),
    (
        "b3",
        "Children of Dune",
        1976,
        ["sci-fi"],
        "Frank Herbert",
        "The twins of the emperor inherit the desert planet and its spice.",
    ),
    (
        "b4",
        "Foundation",
        1951,
        ["sci-fi"],
        "Isaac Asimov",
        "A mathematician foresees the fall of a galactic empire and plans its rebirth.",
    ),
    (
        "b5",
        "I, Robot",
        1950,
        ["sci-fi"],
        "Isaac Asimov",
        "Stories of robots and the three laws that govern them.",
    ),
    (
        "b6",
        "Pride and Prejudice",
        1813,
        ["romance", "classic"],
        "Jane Austen",
        "Elizabeth Bennet and Mr Darcy overcome pride and prejudice in Regency England.",
    ),
    (
        "b7",
        "Emma",
        1815,
        ["romance", "classic"],
        "Jane Austen",
        "A young woman meddles in the love lives of her friends in a small village.",
    ),
    (
        "b8",
        "The Hobbit",
        1937,
        ["fantasy"],
        "J.R.R. Tolkien",
        "A hobbit joins thirteen dwarves on a quest to reclaim their mountain home.",
    ),
    (
        "b9",
        "The Name of the Wind",
        2007,
        ["fantasy"],
        "Patrick Rothfuss",
        "A gifted young man grows up to become a legendary wizard and musician.",
    ),
    (
        "b10",
        "Gone Girl",
        2012,
        ["mystery", "thriller"],
        "Gillian Flynn",
        "A wife disappears on her anniversary and her husband becomes the suspect.",
    ),
    (
        "b11",
        "The Martian",
        2011,
        ["sci-fi"],
        "Andy Weir",
        "An astronaut stranded on Mars must survive with his wits and some potatoes.",
    ),
    (
        "b12",
        "Little Women",
        1868,
        ["classic", "drama"],
        "Louisa May Alcott",
        "Four sisters grow up in New England during the Civil War era.",
    ),
]


@pytest.fixture
def book_agent(tmp_path, embedder):
    from agent import Settings, build_agent
    from retrieval.index import ItemIndex

    items = [
        Item(id=i, title=t, year=y, genres=g, people={"author": [a]}, text=x, popularity=1.0)
        for i, t, y, g, a, x in BOOKS
    ]
    ItemIndex(tmp_path / "db" / "index", embedder).add(items, progress=False)
    return build_agent(Settings(db=tmp_path / "db", llm="none"))


def test_a_book_catalog_is_worded_as_books():
    items = [Item(id=i, title=t, people={"author": [a]}) for i, t, _, _, a, _ in BOOKS]
    profile = profile_of(items)
    assert (profile.noun, profile.plural, profile.roles, profile.movies) == (
        "book",
        "books",
        ("author",),
        False,
    )
    assert profile_of(items, "recipe").plural == "recipes"  # the `item_noun` setting
    movies = profile_of([Item(id="1", title="Alien", genres=["film-noir"])])  # MovieLens: no people
    assert (movies.noun, movies.movies) == ("movie", True)


def test_book_replies_never_say_film_and_cite_the_same_author(book_agent):
    hello = book_agent.reply("b", "hi")
    assert "books" in hello.reply
    turn = book_agent.reply("b", "I loved Dune, recommend something")
    words = " ".join([hello.reply, turn.reply] + [r.reason for r in turn.items]).lower()
    assert not re.search(r"\b(films?|movies?)\b", words)
    assert 'matches "author' not in words
    herbert = [r for r in turn.items if r.id in ("b2", "b3")]
    assert herbert and all("same author" in r.reason for r in herbert)


def test_classic_is_no_year_limit_for_books(book_agent):
    turn = book_agent.reply("b", "a classic please")
    assert turn.state.year_max is None and turn.state.year_min is None
    words = " ".join([turn.reply] + [r.reason for r in turn.items]).lower()
    assert not re.search(r"\b(films?|movies?)\b", words)


@pytest.fixture(scope="module")
def movie_rules(redial_items):
    from agent.domain import MOVIES
    from agent.intent.rules import RuleIntentModel
    from retrieval.entity_linker import EntityLinker

    genres = {g for i in redial_items for g in i.genres}
    return RuleIntentModel(EntityLinker(redial_items), genres, MOVIES)


def test_moods_rule_out_themes_and_lean_softly(movie_rules):
    gory = movie_rules.propose("nothing gory please")
    assert set(gory.avoid_themes) == {"violence", "horror"} and "horror" in gory.disliked_genres
    scary = movie_rules.propose("something not scary", 5)
    assert scary.avoid_themes == ["horror"]
    cozy = movie_rules.propose("something cozy")
    assert "comedy" in cozy.soft_genres and cozy.liked_genres == [] and "cozy" in cozy.query


def test_date_night_and_kids_are_no_titles(movie_rules):
    # The catalog has "Date Night (2010)" and "Kids (1995)": here they are audiences.
    for message in ("a movie for date night", "something for my kids"):
        act = movie_rules.propose(message)
        assert act.liked_items == [] and act.year_min is None and act.year_max is None
    assert "romance" in movie_rules.propose("for date night").soft_genres


def test_classic_is_a_year_limit_on_movies_only(movie_rules):
    from agent.intent.rules import RuleIntentModel

    assert movie_rules.propose("a classic please").year_max == 1989
    neutral = RuleIntentModel(movie_rules.linker, movie_rules.genres)  # no catalog profile
    assert neutral.propose("a classic please").year_max is None


def test_the_constraint_scripts_pass(db):
    """eval/scripts/constraints.yaml against the small ReDial index."""
    from pathlib import Path

    from agent import Settings, build_agent
    from eval.script.format import load_scripts
    from eval.script.runner import format_results, run_scripts

    path = Path(__file__).parents[2] / "eval" / "scripts" / "constraints.yaml"
    results = run_scripts(build_agent(Settings(db=db, llm="none")), load_scripts(path))
    assert all(r.passed for r in results), format_results(results)


def test_kids_rule_out_party_and_drinking_comedies(make_agent, redial_items):
    """`with the kids` rules out adult plots: the bachelor parties and drinking binges of comedies
    tagged comedy only (The Hangover; the catalog has no age rating), family films kept."""
    from agent.query import build_query
    from agent.schema import DialogueState

    agent = make_agent()
    turn = agent.reply("s", "I want a funny movie for a family night with the kids")
    assert "adult" in turn.state.avoid_themes and len(turn.items) == 5
    # the audience's constraints alone (the turn's state also rules out what it has shown)
    audience = DialogueState(
        disliked_genres=turn.state.disliked_genres, avoid_themes=turn.state.avoid_themes
    )
    wanted = build_query(audience, 5).filter
    refused = ("The Hangover (2009)", "The Hangover Part II (2011)", "Very Bad Things (1998)")
    kept = ("Daddy's Home (2015)", "Toy Story (1995)", "Paddington (2014)")
    _assert_filter(wanted, redial_items, refused, kept)
    assert all(wanted.accepts(agent.items()[r.id]) for r in turn.items)
