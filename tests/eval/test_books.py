"""Books in evaluation: the scripted book suite (eval/scripts/books) and simulated readers
whose profiles never point at their target through its author or series."""

from __future__ import annotations

from pathlib import Path

from eval.script.format import load_scripts

BOOK_SCRIPTS = Path(__file__).parents[2] / "eval" / "scripts" / "books"


def test_the_book_suite_passes_on_the_sample(books_db):
    from agent.build import build_agent
    from agent.settings import Settings
    from eval.script.runner import format_results, run_scripts

    scripts = load_scripts(BOOK_SCRIPTS)
    assert len(scripts) >= 12
    results = run_scripts(build_agent(Settings(db=books_db, llm="none")), scripts)
    assert all(r.passed for r in results), format_results(results)


def test_the_movie_suite_folder_leaves_the_book_scripts_out():
    movie_scripts = load_scripts(BOOK_SCRIPTS.parent)
    assert movie_scripts and not any(s.name.startswith("books-") for s in movie_scripts)


def test_reader_profiles_never_hold_the_target_its_author_or_series(book_items):
    from eval.simulation.book_profiles import LIKED, book_profiles

    items = {b.id: b for b in book_items}
    profiles = book_profiles(items, n=40, seed=3)
    assert len(profiles) == 40 and len({p.target_id for p in profiles}) == 40
    counts = {}
    for book in book_items:
        for genre in book.genres:
            counts[genre] = counts.get(genre, 0) + 1
    for profile in profiles:
        target = items[profile.target_id]
        rarest = min(target.genres, key=lambda g: counts[g])
        assert len(profile.liked_ids) == LIKED and profile.target_id not in profile.liked_ids
        for liked in map(items.get, profile.liked_ids):
            assert rarest in liked.genres and len(set(liked.genres) & set(target.genres)) >= 2
            assert not set(liked.people["author"]) & set(target.people["author"])
            series = target.attributes.get("series_name")
            assert series is None or liked.attributes.get("series_name") != series
    assert book_profiles(items, n=40, seed=3) == profiles  # the seed decides


def test_a_short_reader_simulation(books_db):
    from agent.build import build_agent
    from agent.settings import Settings
    from eval.simulation.book_profiles import book_profiles
    from eval.simulation.report import summarise
    from eval.simulation.runner import simulate, vector_lookup

    agent = build_agent(Settings(db=books_db, llm="none"))
    profiles = book_profiles(agent.items(), n=3, seed=0)
    episodes = simulate(agent, profiles, max_turns=3, noun="book")
    for episode in episodes:
        target = agent.items()[episode.target_id]
        assert episode.error is None
        assert (
            episode.messages[0].startswith("Hi! I'm looking for")
            and " book." in episode.messages[0]
        )
        assert all(target.title not in m for m in episode.messages)
        assert len(episode.baseline) == 25
    report = summarise(episodes, vector_lookup(agent), len(agent.items()), max_turns=3)
    assert report["users"] == 3 and report["agent"]["errors"] == 0
