"""Scripted dialogues: the file format, the checks, and a run against the real agent."""

from __future__ import annotations

import textwrap

import pytest

from agent.schema import DialogueState, Intent, Recommendation, Turn
from eval.script.checks import check_turn
from eval.script.format import ScriptError, load_scripts
from retrieval.schema import Item

ITEMS = {
    "1": Item(id="1", title="Alien", year=1979, genres=["horror", "sci-fi"]),
    "2": Item(id="2", title="Toy Story", year=1995, genres=["animation", "comedy"]),
    "3": Item(id="3", title="Up", year=2009, genres=["animation"]),
}


def _turn(*ids: str, action: str = "recommend") -> Turn:
    items = [
        Recommendation(
            id=i,
            title=ITEMS[i].title,
            year=ITEMS[i].year,
            genres=ITEMS[i].genres,
            score=1.0,
            reason="r",
        )
        for i in ids
    ]
    return Turn(
        session_id="s",
        reply="Here you go. Want more?",
        action=action,
        intent=Intent.PREFERENCE,
        items=items,
        state=DialogueState(),
    )


def _expect(**fields):
    from eval.script.format import Expectations

    return Expectations(**fields)


def test_yaml_with_several_documents_and_a_list(tmp_path):
    path = tmp_path / "suite.yaml"
    path.write_text(
        textwrap.dedent("""\
        name: one
        turns: [{user: hi, expect: {asks_question: true}}]
        ---
        scripts:
          - name: two
            turns: [{feedback: {position: 1, reaction: dislike}}]
          - name: three
            turns: [{user: "x", repeat: 3}]
        """)
    )
    assert [s.name for s in load_scripts(path)] == ["one", "two", "three"]


def test_a_bad_script_names_the_file_and_the_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nturns: [{user: hi, expect: {min_itmes: 3}}]\n")
    with pytest.raises(ScriptError, match="bad.yaml: turns.0.expect.min_itmes: Extra inputs"):
        load_scripts(path)


def test_a_turn_needs_a_message_or_a_button(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"name": "x", "turns": [{"expect": {}}]}\n')
    with pytest.raises(ScriptError, match="either `user`"):
        load_scripts(path)


def test_checks_report_what_was_seen():
    results = check_turn(
        _expect(
            min_items=3,
            none_with_genre=["horror"],
            no_repeats=True,
            includes=["Up (2009)"],
            excludes=["toy story"],
            all_with_genre=["animation"],
        ),
        _turn("1", "2"),
        None,
        earlier={"2"},
        items=ITEMS,
    )
    verdicts = {name: passed for name, passed, _ in results}
    assert verdicts == {
        "recommends at least 3 items": False,
        "none with genre horror": False,
        "every item is animation": False,
        "recommends Up (2009)": False,
        "does not recommend toy story": False,
        "repeats nothing shown before": False,
    }
    observed = {name: seen for name, _, seen in results}
    assert observed["none with genre horror"] == "Alien (1979)"
    assert observed["repeats nothing shown before"] == "Toy Story (1995)"


def test_checks_pass_and_refusals():
    ok = check_turn(
        _expect(action="recommend", max_items=2, year_min=1990, includes=["2"]),
        _turn("2", "3"),
        None,
        set(),
        ITEMS,
    )
    assert all(passed for _, passed, _ in ok)
    refused = check_turn(_expect(invalid=True), None, "the message is empty", set(), ITEMS)
    assert refused == [("refuses the message as invalid", True, "refused: the message is empty")]
    asked = check_turn(_expect(asks_question=True), _turn(action="ask"), None, set(), ITEMS)
    assert asked[0][1]


def test_the_suite_runs_against_the_agent_and_a_new_item_is_found(db, tmp_path):
    """Cold start, a rejection by button, and an item added after indexing (item cold start)."""
    from agent.build import build_agent
    from agent.settings import Settings
    from eval.script.runner import format_results, run_scripts

    path = tmp_path / "suite.yaml"
    path.write_text(
        textwrap.dedent("""\
        name: cold-start
        turns:
          - user: Hello!
            expect: {asks_question: true, max_items: 0}
          - user: ""
            expect: {invalid: true}
          - user: I loved Toy Story (1995) and Finding Nemo (2003)
            expect: {min_items: 3, excludes: [Toy Story (1995)]}
          - feedback: {position: 1, reaction: dislike}
            expect: {min_items: 3, no_repeats: true}
          - user: nothing scary, something else
            expect: {min_items: 3, no_repeats: true, none_with_genre: [horror]}
        ---
        name: new-item
        items:
          - id: brand-new
            title: Zorblax Returns
            year: 2026
            genres: [animation, comedy, family]
            text: A toy cowboy and a space ranger toy get lost at a yard sale and must find
              their way home to the boy who loves them. Pixar-style animated toy adventure.
        turns:
          - user: an animated movie about toys lost at a yard sale, please
            expect: {min_items: 3, includes: [Zorblax Returns (2026)]}
          - user: I loved Zorblax Returns
            expect: {min_items: 3, excludes: [Zorblax Returns (2026)]}
        """)
    )
    agent = build_agent(Settings(db=db, llm="none"))
    results = run_scripts(agent, load_scripts(path))
    report = format_results(results)
    assert all(r.passed for r in results), report
    assert report.endswith(f"{len(results)}/{len(results)} expectations passed in 2 scripts")


def test_the_question_suite_answers_from_the_catalog_and_keeps_the_picks(db):
    """eval/scripts/questions_*.yaml: 60+ questions, each with its expected fact or the
    catalog's silence, no invented fact, and the picks unchanged by every question."""
    from pathlib import Path

    from agent.build import build_agent
    from agent.settings import Settings
    from eval.script.runner import format_results, run_scripts

    folder = Path(__file__).parents[2] / "eval" / "scripts"
    scripts = [s for path in sorted(folder.glob("questions_*.yaml")) for s in load_scripts(path)]
    questions = [t for s in scripts for t in s.turns if t.expect.action == "answer"]
    assert len(questions) >= 60
    results = run_scripts(build_agent(Settings(db=db, llm="none")), scripts)
    assert all(r.passed for r in results), format_results(results)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """The real demo catalog (MovieLens-100k from the recbole wheel), indexed once (~1 min)."""
    from agent.build import index_catalog
    from agent.settings import Settings
    from retrieval.catalog import DEMO_CATALOG

    db = tmp_path_factory.mktemp("demo-db")
    index_catalog(DEMO_CATALOG, Settings(db=db), progress=False)
    return db


@pytest.mark.slow
def test_questions_about_the_real_demo_catalog_are_answered_from_its_fields(demo_db):
    """eval/scripts/movielens/: real MovieLens rows (title, year, genres only): the facts it has,
    "the catalog doesn't say" for the ones it lacks, honest about titles it does not hold."""
    from pathlib import Path

    from agent.build import build_agent
    from agent.settings import Settings
    from eval.script.runner import format_results, run_scripts

    path = Path(__file__).parents[2] / "eval" / "scripts" / "movielens" / "questions.yaml"
    scripts = load_scripts(path)
    assert sum(t.expect.action == "answer" for s in scripts for t in s.turns) >= 15
    results = run_scripts(build_agent(Settings(db=demo_db, llm="none")), scripts)
    assert all(r.passed for r in results), format_results(results)
