"""Saved sessions under stress: unusable stored states, damaged files, hostile text, actions at
once on one session, long sessions, and the `convrec sessions` commands."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time

import pytest

from agent import InvalidMessage
from agent.agent import Agent, InvalidFeedback, InvalidSession
from agent.schema import DialogueState, Event, Intent, Recommendation, Turn
from agent.session_store import InvalidState, SessionStore
from convrec.cli import main as convrec

SESSIONS = "sessions.sqlite3"


def _sql(db, statement: str, values: tuple = ()) -> list[tuple]:
    """A statement on the sessions file from outside the app (an operator, another version)."""
    with sqlite3.connect(db / SESSIONS) as connection:
        return connection.execute(statement, values).fetchall()


def _turn(session: str, n: int, shown: list[str]) -> Turn:
    """A turn shaped like a real recommendation turn of a long session."""
    items = [
        Recommendation(
            id=f"{n}{i:05d}",
            title=f"Movie {n}-{i}",
            year=1990,
            genres=["drama"],
            description="A plot summary of a good length. " * 9,
            score=0.5,
            reason="Like Alien (1979): also sci-fi, horror",
        )
        for i in range(5)
    ]
    recent = ["I loved Alien and something lighter please"] * 3 + ["Here are 5 picks: " * 30] * 3
    state = DialogueState(
        liked_items=shown[:3],
        shown_items=list(shown),
        recent=recent,
        last_shown=[r.id for r in items],
        turns=n,
    )
    return Turn(
        session_id=session,
        reply="Here are 5 picks: " * 30,
        action="recommend",
        intent=Intent.PREFERENCE,
        items=items,
        state=state,
    )


# -- defect 3: an unusable stored state ------------------------------------------------------


def test_an_unusable_stored_state_is_recovered_and_the_session_goes_on(make_agent, db, caplog):
    agent = make_agent()
    alien = agent.reply("s", "I loved Alien").state.liked_items
    agent.reply("s", "something lighter")
    _sql(
        db,
        "UPDATE sessions SET state = ? WHERE id = 's'",
        (json.dumps({"liked_items": alien, "diversity": 5.0}),),
    )
    with caplog.at_level(logging.WARNING):
        turn = agent.reply("s", "I loved Toy Story")
    assert turn.items and turn.error is None
    assert "went back to an earlier one" in turn.reply  # the user is told
    assert "stored state did not load" in caplog.text and "diversity" in caplog.text
    assert set(alien) <= set(turn.state.liked_items)  # the last good state, not a fresh one
    assert agent.state("s") == turn.state  # repaired by the turn's save
    assert agent.set_diversity("s", 0.3).diversity == 0.3


def test_with_no_good_state_left_a_fresh_one_is_used(make_agent, db):
    agent = make_agent()
    agent.reply("s", "I loved Alien")
    _sql(db, "UPDATE sessions SET state = 'not json', previous = '{\"turns\": -1.5}'")
    _sql(db, "UPDATE turns SET turn = '{}'")
    assert agent.state("s") == DialogueState()
    turn = agent.feedback("s", next(iter(agent.items())), "like")
    assert turn.items and len(turn.state.liked_items) == 1


def test_a_state_that_would_not_load_back_is_never_stored(tmp_path):
    store = SessionStore(tmp_path / SESSIONS)
    turn = _turn("s", 1, [])
    turn.state.diversity = float("nan")  # an assignment is not validated
    with pytest.raises(InvalidState):
        store.save("s", Event(kind="message", text="hi"), turn)
    assert store.load("s") is None and store.history("s") == []


# -- defect 8: a damaged sessions file ---------------------------------------------------------


def _assert_set_aside_and_working(make_agent, db, caplog, damaged: bytes) -> None:
    with caplog.at_level(logging.WARNING):
        agent = make_agent()  # builds: no traceback at start-up
    asides = list(db.glob(f"{SESSIONS}.damaged-*"))
    assert len(asides) == 1 and asides[0].read_bytes() == damaged  # kept for the operator
    assert "is damaged" in caplog.text and str(asides[0]) in caplog.text
    turn = agent.reply("s", "I loved Alien")
    assert turn.items and turn.error is None
    assert [e.text for e, _ in make_agent().history("s")] == ["I loved Alien"]  # saved


def test_a_garbage_header_is_set_aside_and_the_app_starts(make_agent, db, caplog):
    garbage = b"this is not an SQLite file " * 200
    (db / SESSIONS).write_bytes(garbage)
    assert convrec(["sessions", "check", "--db", str(db)]) == 1
    _assert_set_aside_and_working(make_agent, db, caplog, garbage)
    assert convrec(["sessions", "check", "--db", str(db)]) == 0  # the fresh file is sound


def test_a_half_truncated_file_is_set_aside_and_the_app_starts(make_agent, db, caplog, capsys):
    store = SessionStore(db / SESSIONS)
    shown: list[str] = []
    for n in range(300):
        shown += [f"{n}{i:05d}" for i in range(5)]
        store.save(f"s{n % 7}", Event(kind="message", text=f"message {n}"), _turn("s", n, shown))
    store.close()
    data = (db / SESSIONS).read_bytes()
    assert len(data) > 100_000
    (db / SESSIONS).write_bytes(data[: len(data) // 2])
    assert convrec(["sessions", "check", "--db", str(db)]) == 1
    assert "DAMAGED" in capsys.readouterr().out
    _assert_set_aside_and_working(make_agent, db, caplog, data[: len(data) // 2])


def test_a_file_emptied_to_zero_bytes_is_reported_not_silently_empty(make_agent, db, caplog):
    (db / SESSIONS).write_bytes(b"")
    assert convrec(["sessions", "check", "--db", str(db)]) == 1
    _assert_set_aside_and_working(make_agent, db, caplog, b"")


def test_the_file_is_in_wal_mode_with_normal_sync(tmp_path):
    store = SessionStore(tmp_path / SESSIONS)
    store.save("s", Event(kind="message", text="hi"), _turn("s", 1, []))
    assert _sql(tmp_path, "PRAGMA journal_mode") == [("wal",)]
    assert store._db.execute("PRAGMA synchronous").fetchone() == (1,)  # 1: NORMAL


# -- defect 9: text that cannot be processed ---------------------------------------------------


def test_a_lone_surrogate_is_refused_clearly_and_changes_nothing(make_agent):
    agent = make_agent()
    before = agent.reply("s", "I loved Alien").state
    for message in ("I loved Alien \ud800", "\udfff", "Toy Story \ud83d and more"):
        with pytest.raises(InvalidMessage, match="unpaired surrogate"):
            agent.reply("s", message)
    with pytest.raises(InvalidMessage, match="unpaired surrogate"):
        next(agent.reply_stream("s", "I loved Alien \ud800"))  # what the UI calls
    assert agent.state("s") == before and len(agent.history("s")) == 1
    assert agent.reply("s", "I loved Aliens \U0001f47d").items  # a real emoji is fine


def test_control_characters_are_removed_tab_and_newline_kept(make_agent):
    agent = make_agent()
    turn = agent.reply("s", "I loved\x00 Alien\x07\r\nand\tAliens\x1b\x7f")
    assert len(turn.state.liked_items) == 2
    assert [e.text for e, _ in agent.history("s")] == ["I loved Alien\nand\tAliens"]
    with pytest.raises(InvalidMessage, match="empty"):
        agent.reply("s", "\x00\x01 \x1f")
    with pytest.raises(InvalidMessage, match="must be text"):
        agent.reply("s", b"I loved Alien")


def test_bad_presses_and_session_ids_are_refused_clearly(make_agent):
    agent = make_agent()
    item = next(iter(agent.items()))
    for bad_item, reaction in (
        (["a", "list"], "like"),
        (None, "like"),
        (item, ["like"]),
        (item, "love"),
    ):
        with pytest.raises(InvalidFeedback):
            agent.feedback("s", bad_item, reaction)
    for session in ("s\ud800", "s\x00", None, "x" * 500):
        with pytest.raises(InvalidSession):
            agent.reply(session, "I loved Alien")
        with pytest.raises(InvalidSession):
            agent.feedback(session, item, "like")
    assert agent.history("s") == []


# -- defect 10: actions at once on one session ---------------------------------------------------


def _press_at_once(agents: list[Agent], session: str, ids: list[str]) -> list[Turn]:
    start = threading.Barrier(len(ids))
    turns: list[Turn] = []

    def press(agent: Agent, item_id: str) -> None:
        start.wait()
        turns.append(agent.feedback(session, item_id, "like"))

    threads = [
        threading.Thread(target=press, args=(agents[n % len(agents)], item_id))
        for n, item_id in enumerate(ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return turns


def test_ten_likes_at_once_on_one_session_are_all_kept(make_agent):
    agent = make_agent()
    ids = list(agent.items())[:10]
    turns = _press_at_once([agent], "s", ids)
    assert all(t.error is None for t in turns)
    assert sorted(agent.state("s").liked_items) == sorted(ids)
    assert sorted(e.item_id for e, _ in agent.history("s")) == sorted(ids)


def _second_process(agent: Agent, db, intent_model=None) -> Agent:
    """The same agent with its own store on the same file: what another process would have."""
    return Agent(
        agent.pipeline,
        intent_model or agent.intent_model,
        agent.tracker,
        agent.writer,
        SessionStore(db / SESSIONS),
        agent.linker,
        agent.fallback_intent,
        agent.k,
    )


def test_two_processes_sharing_the_file_lose_no_press(make_agent, db):
    agent = make_agent()
    other = _second_process(agent, db)
    ids = list(agent.items())[:10]
    turns = _press_at_once([agent, other], "s", ids)
    assert all(t.error is None for t in turns)
    assert sorted(agent.state("s").liked_items) == sorted(ids)
    assert sorted(other.state("s").liked_items) == sorted(ids)


def test_a_turn_is_recomputed_when_another_process_saved_meanwhile(make_agent, db):
    agent = make_agent()
    pressed = next(iter(agent.items()))

    class PressMeanwhile:
        """Reads the message like the agent does; the first time, another process's press is
        saved while this turn is being computed."""

        def __init__(self) -> None:
            self.calls = 0

        def propose(self, message, last_shown=0, agent_said=""):
            self.calls += 1
            if self.calls == 1:
                agent.feedback("s", pressed, "like")
            return agent.intent_model.propose(message, last_shown, agent_said)

    intent = PressMeanwhile()
    other = _second_process(agent, db, intent)
    turn = other.reply("s", "I loved Alien")
    assert intent.calls == 2  # computed again from the state that holds the press
    assert pressed in turn.state.liked_items and len(turn.state.liked_items) == 2
    assert agent.state("s") == turn.state


def test_a_stale_save_is_refused(tmp_path):
    first, second = SessionStore(tmp_path / SESSIONS), SessionStore(tmp_path / SESSIONS)
    event = Event(kind="message", text="hi")
    seen_by_first, seen_by_second = first.snapshot("s"), second.snapshot("s")
    assert first.save("s", event, _turn("s", 1, ["a"]), seen_by_first.version)
    assert not second.save("s", event, _turn("s", 1, ["b"]), seen_by_second.version)
    assert second.load("s").shown_items == ["a"] and len(second.history("s")) == 1


def test_an_abandoned_stream_does_not_lock_its_session(make_agent):
    from agent.llm.scripted import ScriptedModel

    agent = make_agent(llm=ScriptedModel(["Lovely choice!"]))
    stream = agent.reply_stream("s", "I loved Alien")
    assert next(stream).items
    stream.close()  # the browser went away mid-answer
    assert agent.feedback("s", next(iter(agent.items())), "like").error is None


# -- defect 11: growth ---------------------------------------------------------------------------


def test_the_file_grows_linearly_with_a_long_session(tmp_path):
    path = tmp_path / SESSIONS
    shown: list[str] = []
    sizes = [0]
    for block in range(2):
        store = SessionStore(path)
        for n in range(100 * block, 100 * (block + 1)):
            shown += [f"{n}{i:05d}" for i in range(5)]  # the state grows as in a real session
            store.save("long", Event(kind="message", text="more please"), _turn("long", n, shown))
        store.close()  # writes the WAL back into the file
        sizes.append(path.stat().st_size)
    first, last = sizes[1] - sizes[0], sizes[2] - sizes[1]
    assert last < 1.2 * first, f"bytes for turns 1-100: {first}, for turns 101-200: {last}"
    history = SessionStore(path).history("long")
    assert len(history) == 200 and history[-1][1].items[0].id == "19900000"


def test_a_huge_plot_gives_a_short_answer_and_a_small_state(make_agent):
    agent = make_agent()
    first = agent.reply("s", "I loved The Terminator")
    item = agent.items()[first.items[0].id]
    agent.pipeline.context.index.add(
        [item.model_copy(update={"text": "A robot. " * 22_000})], progress=False
    )
    turn = agent.reply("s", "what is the first one about?")
    assert turn.action == "answer" and turn.reply.startswith(item.title)
    assert len(turn.reply) <= 700
    assert len(agent.state("s").model_dump_json()) < 10_000


def test_sessions_can_be_deleted_and_pruned(make_agent, db, capsys):
    agent = make_agent()
    for session in ("old", "recent", "gone"):
        agent.reply(session, "I loved Alien")
    assert agent.delete_session("gone") and not agent.delete_session("gone")
    assert agent.history("gone") == [] and agent.state("gone") == DialogueState()
    _sql(db, "UPDATE sessions SET updated = ? WHERE id = 'old'", (time.time() - 40 * 86400,))
    assert convrec(["sessions", "prune", "--older-than", "30", "--db", str(db)]) == 0
    assert "removed 1 session" in capsys.readouterr().out
    assert agent.history("old") == [] and agent.history("recent")
    assert convrec(["sessions", "delete", "recent", "--db", str(db)]) == 0
    assert convrec(["sessions", "delete", "recent", "--db", str(db)]) == 1
    assert _sql(db, "SELECT COUNT(*) FROM turns") == [(0,)]


# -- migration -----------------------------------------------------------------------------------


def test_a_file_from_an_older_version_still_loads(tmp_path, caplog):
    old = DialogueState(liked_items=["a1"], shown_items=["b1", "b2"], diversity=0.5)
    full_turn = Turn(
        session_id="s",
        reply="Here are picks",
        action="recommend",
        intent=Intent.PREFERENCE,
        state=old,
    )
    with sqlite3.connect(
        tmp_path / SESSIONS
    ) as connection:  # the schema before events and versions
        connection.executescript(
            "CREATE TABLE sessions (id TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL);"
            "CREATE TABLE turns (session_id TEXT NOT NULL, at REAL NOT NULL, message TEXT NOT NULL,"
            " turn TEXT NOT NULL);"
        )
        for session, state in (("s", old.model_dump_json()), ("bad", '{"diversity": 5.0}')):
            connection.execute("INSERT INTO sessions VALUES (?, ?, 1.0)", (session, state))
            connection.execute(
                "INSERT INTO turns VALUES (?, 1.0, '[like] Alien', ?)",
                (session, full_turn.model_copy(update={"session_id": session}).model_dump_json()),
            )
    store = SessionStore(tmp_path / SESSIONS)
    assert store.load("s") == old
    [(event, turn)] = store.history("s")
    assert (event.kind, event.reaction, turn.state.diversity) == ("feedback", "like", 0.5)
    with caplog.at_level(logging.WARNING):
        recovered = store.snapshot("bad")  # from the full state old versions kept per turn
    assert recovered.state == old and "earlier turn" in recovered.recovered
    snapshot = store.snapshot("s")
    assert store.save("s", Event(kind="message", text="hi"), full_turn, snapshot.version)
    assert len(store.history("s")) == 2
