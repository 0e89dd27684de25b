"""Undo and corrections: "undo that", the Undo button, "actually I did like it", "no, I meant
the 2004 one"."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.schema import DialogueState, Event, Intent, Turn
from agent.session_store import UNDO_DEPTH, SessionStore
from agent.undo import wants_undo
from retrieval.schema import Item


@pytest.mark.parametrize(
    "message",
    [
        "Oops, undo that",
        "undo",
        "Undo that please",
        "go back",
        "Go back one step.",
        "take that back",
        "I didn't mean that",
        "scratch that",
        "oops!",
    ],
)
def test_undo_requests_are_recognised(message):
    assert wants_undo(message)


@pytest.mark.parametrize(
    "message",
    [
        "I loved Alien",
        "go back to the 80s please",
        "something from the 90s",
        "Back to the Future",
        "I didn't like the first one",
        "oops, I meant comedies",
    ],
)
def test_ordinary_messages_are_not_undo_requests(message):
    assert not wants_undo(message)


def test_undo_after_a_dislike_button_brings_the_item_back(make_agent):
    agent = make_agent()
    first = agent.reply("s", "I loved The Terminator (1984)")
    shown = [r.id for r in first.items]
    pressed = agent.feedback("s", shown[0], "dislike")
    assert shown[0] in pressed.state.disliked_items

    turn = agent.undo("s")
    assert turn.action == "undo"
    assert turn.reply.startswith("Undone: you no longer dislike ")
    assert agent.items()[shown[0]].display_title in turn.reply
    assert [r.id for r in turn.items] == shown  # the cards from before, reasons and all
    assert [r.reason for r in turn.items] == [r.reason for r in first.items]
    assert agent.state("s").disliked_items == []
    assert agent.state("s").last_shown == shown
    assert agent.state("s").liked_items == first.state.liked_items
    assert [e.kind for e, _ in agent.history("s")] == ["message", "feedback", "undo"]


def test_oops_undo_that_takes_back_the_last_message(make_agent):
    agent = make_agent()
    first = agent.reply("s", "I loved The Terminator (1984)")
    horror = agent.reply("s", "I want horror")
    assert horror.state.required_genres == ["horror"]

    turn = agent.reply("s", "Oops, undo that")
    assert turn.action == "undo" and "Great choice" not in turn.reply
    assert "Undone:" in turn.reply and "horror" in turn.reply
    assert agent.state("s").required_genres == [] and agent.state("s").liked_genres == []
    assert [r.id for r in turn.items] == [r.id for r in first.items]
    event, _ = agent.history("s")[-1]
    assert (event.kind, event.text) == ("message", "Oops, undo that")


def test_two_undos_in_a_row_then_nothing_to_undo(make_agent):
    agent = make_agent()
    agent.reply("s", "I loved The Terminator (1984)")
    second = agent.reply("s", "I also loved Toy Story (1995)")
    agent.reply("s", "hello")  # changes nothing the agent knows: not a step to undo
    agent.feedback("s", second.items[0].id, "seen")

    assert "no longer marked as seen" in agent.undo("s").reply
    turn = agent.undo("s")
    assert "you no longer like Toy Story (1995)" in turn.reply
    assert agent.state("s").liked_items == ["170277"]  # The Terminator only
    turn = agent.undo("s")
    assert "you no longer like The Terminator (1984)" in turn.reply
    assert agent.state("s").liked_items == [] and turn.items == []
    assert turn.action == "undo" and "?" in turn.reply  # asks again, as at the start

    nothing = agent.undo("s")
    assert nothing.reply == "Nothing to undo." and nothing.action == "acknowledge"
    assert agent.state("s").liked_items == []


def test_nothing_to_undo_in_a_new_session_keeps_working(make_agent):
    agent = make_agent()
    assert agent.undo("new").reply == "Nothing to undo."
    assert agent.reply("new", "I loved Alien").items


def test_undo_keeps_the_diversity_setting(make_agent):
    agent = make_agent()
    agent.reply("s", "I loved Alien")
    agent.set_diversity("s", 0.7)
    turn = agent.undo("s")  # the setting is not a step: the message is undone
    assert "you no longer like Alien" in turn.reply
    assert agent.state("s").diversity == 0.7


def test_actually_i_did_like_it_moves_the_item_to_liked(make_agent):
    agent = make_agent()
    first = agent.reply("s", "I loved The Terminator (1984)")
    rejected = first.items[0].id
    agent.feedback("s", rejected, "dislike")

    turn = agent.reply("s", "Actually I did like it")
    assert rejected in turn.state.liked_items and rejected not in turn.state.disliked_items
    assert turn.action == "recommend"
    assert f"Got it: you like {agent.items()[rejected].display_title} after all." in turn.reply
    turn = agent.reply("s", "actually I didn't like it")  # and back again
    assert rejected in turn.state.disliked_items and rejected not in turn.state.liked_items


def test_actually_i_liked_the_second_one(make_agent):
    agent = make_agent()
    first = agent.reply("s", "I loved The Terminator (1984)")
    second = first.items[1].id
    turn = agent.reply("s", "not the second one")
    assert second in turn.state.disliked_items and second not in turn.state.last_shown
    # "the second one" of the list they rejected it from, not of the fresh one
    turn = agent.reply("s", "actually I liked the second one")
    assert second in turn.state.liked_items and second not in turn.state.disliked_items


def test_no_i_meant_the_2004_one_swaps_the_linked_item(make_agent):
    twins = [
        Item(
            id=f"night-{year}",
            title="Night Train",
            year=year,
            genres=["thriller"],
            popularity=pop,
            text=f"The {year} thriller on a night train.",
        )
        for year, pop in ((1998, 90), (2004, 3))
    ]
    agent = make_agent()
    agent.pipeline.context.index.add(twins, progress=False)
    turn = agent.reply("s", "I loved Night Train")
    assert turn.state.liked_items == ["night-1998"]  # the famous one is the usual meaning

    turn = agent.reply("s", "no, I meant the 2004 one")
    assert turn.state.liked_items == ["night-2004"]
    assert "Got it: Night Train (2004), not Night Train (1998)." in turn.reply
    assert turn.action == "recommend" and "night-2004" not in [r.id for r in turn.items]
    assert "you no longer like Night Train (2004)" in agent.undo("s").reply
    assert agent.state("s").liked_items == ["night-1998"]


def test_a_year_with_no_namesake_is_not_a_correction(make_agent):
    agent = make_agent()
    agent.reply("s", "I loved The Terminator (1984)")
    turn = agent.reply("s", "no, I meant the 1950 one")
    assert turn.state.liked_items == ["170277"]


def _turn(state: DialogueState) -> Turn:
    return Turn(session_id="s", reply="", action="ask", intent=Intent.CHITCHAT, state=state)


def test_the_store_keeps_a_bounded_stack_of_states(tmp_path):
    store = SessionStore(tmp_path / "sessions.db")
    event = Event(kind="message", text="x")
    for n in range(1, UNDO_DEPTH + 4):
        assert store.save("s", event, _turn(DialogueState(turns=n)), n - 1, undo="push")
    seen = []
    while (snapshot := store.snapshot("s")).before is not None and len(seen) <= UNDO_DEPTH:
        seen.append(snapshot.before.turns)
        assert store.save(
            "s", Event(kind="undo"), _turn(snapshot.before), snapshot.version, undo="pop"
        )
    assert seen == list(range(UNDO_DEPTH + 2, 2, -1))  # the newest UNDO_DEPTH, newest first
    # The version check still guards the stack: a stale save changes nothing.
    assert not store.save("s", event, _turn(DialogueState()), 1, undo="push")


def test_a_session_saved_before_the_stack_existed_can_undo_once(tmp_path):
    store = SessionStore(tmp_path / "sessions.db")
    store.save("s", Event(kind="message", text="x"), _turn(DialogueState(turns=1)))
    store.save("s", Event(kind="message", text="y"), _turn(DialogueState(turns=2)))
    store._db.execute("UPDATE sessions SET undo = NULL")  # as an older version left it
    assert store.snapshot("s").before == DialogueState(turns=1)  # the `previous` column


def test_the_undo_scripts_pass(db):
    from agent.build import build_agent
    from agent.settings import Settings
    from eval.script.format import load_scripts
    from eval.script.runner import format_results, run_scripts

    scripts = load_scripts(Path(__file__).parents[2] / "eval" / "scripts" / "undo.yaml")
    results = run_scripts(build_agent(Settings(db=db, llm="none")), scripts)
    assert all(r.passed for r in results), format_results(results)
