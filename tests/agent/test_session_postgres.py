"""Both session backends, the SQLite file and PostgreSQL, behave the same for the same calls; and
neither loses an update when several processes change one session at once.

The PostgreSQL tests run against a real throwaway server (`tests/agent/_postgres.py`): they skip,
saying why, where the server binaries or the psycopg driver are missing."""

from __future__ import annotations

import multiprocessing
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from agent.schema import DialogueState, Event, Intent, Turn
from agent.session_store import (
    UNDO_DEPTH,
    InvalidState,
    SessionBackend,
    SessionStore,
    SessionStoreUnavailable,
)
from tests.agent._postgres import NoPostgres, fresh_database, running_postgres

EVENT = Event(kind="message", text="more please")
CYCLES = 60  # read-modify-save cycles per process in the race
COMPUTE_S = 0.002  # the time a turn takes between reading the state and saving it


@dataclass(frozen=True)
class Backend:
    """Where a store keeps its sessions; plain values, so that another process can open it."""

    kind: str  # "sqlite" or "postgresql"
    location: str  # the file, or the database URL

    def open(self) -> SessionBackend:
        if self.kind == "sqlite":
            return SessionStore(self.location)
        from agent.session_postgres import PostgresSessionStore

        return PostgresSessionStore(self.location)

    def sql(self, statement: str, values: tuple = ()) -> list[tuple]:
        """A statement from outside the app (an operator, another version); `?` placeholders."""
        if self.kind == "sqlite":
            import sqlite3

            with sqlite3.connect(self.location) as connection:
                return connection.execute(statement, values).fetchall()
        import psycopg

        with psycopg.connect(self.location, autocommit=True) as connection:
            cursor = connection.execute(statement.replace("?", "%s"), values)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway server for the whole test run, on 127.0.0.1."""
    pytest.importorskip("psycopg", reason="the psycopg driver is not installed (convrec[service])")
    with ExitStack() as running:
        try:
            url = running.enter_context(running_postgres())
        except NoPostgres as exc:
            pytest.skip(str(exc))
        yield url


@pytest.fixture
def postgres_url(postgres_server):
    """An empty database of its own for each test."""
    with fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "sessions.sqlite3"))
    return Backend("postgresql", request.getfixturevalue("postgres_url"))


@pytest.fixture
def open_store(backend):
    """Opens stores on the test's backend (as many as another process would) and closes them."""
    opened: list[SessionBackend] = []

    def open_() -> SessionBackend:
        opened.append(backend.open())
        return opened[-1]

    yield open_
    for store in opened:
        store.close()


def _turn(state: DialogueState, session: str = "s", reply: str = "Here you go") -> Turn:
    return Turn(session_id=session, reply=reply, action="ask", intent=Intent.CHITCHAT, state=state)


# -- the same behaviour on both backends --------------------------------------------------------


def test_a_saved_turn_comes_back_with_its_state_history_and_version(open_store):
    store = open_store()
    assert store.snapshot("s").version == 0 and store.load("s") is None
    state = DialogueState(liked_items=["a1"], shown_items=["a1", "b2"], turns=1, recent=["x" * 80])
    assert store.save("s", Event(kind="feedback", item_id="a1", reaction="like"), _turn(state), 0)
    assert store.save("s", Event(kind="message", text="héllo 👽"), _turn(state.model_copy()))
    snapshot = store.snapshot("s")
    assert (snapshot.state, snapshot.version, snapshot.recovered) == (state, 2, None)
    [(first, _), (second, turn)] = store.history("s")
    assert (first.kind, first.item_id, first.reaction) == ("feedback", "a1", "like")
    assert second.text == "héllo 👽" and turn.reply == "Here you go"
    assert turn.state == DialogueState(turns=1)  # a stored turn keeps no copy of the state
    assert store.history("other") == [] and store.load("other") is None


def test_a_stale_save_is_refused_and_stores_nothing(open_store):
    first, second = open_store(), open_store()  # two processes
    seen_by_first, seen_by_second = first.snapshot("s"), second.snapshot("s")
    assert first.save("s", EVENT, _turn(DialogueState(shown_items=["a"])), seen_by_first.version)
    assert not second.save("s", EVENT, _turn(DialogueState(shown_items=["b"])), 0)
    assert not second.save("s", EVENT, _turn(DialogueState()), seen_by_second.version + 5)
    assert second.load("s").shown_items == ["a"] and len(second.history("s")) == 1
    assert second.save("s", EVENT, _turn(DialogueState(shown_items=["c"])))  # no version: saved
    assert first.snapshot("s").version == 2


def test_the_undo_stack_is_bounded_and_guarded_by_the_version(open_store):
    store = open_store()
    for n in range(1, UNDO_DEPTH + 4):
        assert store.save("s", EVENT, _turn(DialogueState(turns=n)), n - 1, undo="push")
    seen = []
    while (snapshot := store.snapshot("s")).before is not None and len(seen) <= UNDO_DEPTH:
        seen.append(snapshot.before.turns)
        assert store.save(
            "s", Event(kind="undo"), _turn(snapshot.before), snapshot.version, undo="pop"
        )
    assert seen == list(range(UNDO_DEPTH + 2, 2, -1))  # the newest UNDO_DEPTH, newest first
    assert not store.save("s", EVENT, _turn(DialogueState()), 1, undo="push")


def test_an_unusable_state_falls_back_to_the_previous_then_a_turn_then_a_fresh_one(
    backend, open_store, caplog
):
    store = open_store()
    store.save("s", EVENT, _turn(DialogueState(liked_items=["a1"], turns=1)))
    store.save("s", EVENT, _turn(DialogueState(liked_items=["a1", "b2"], turns=2)))
    backend.sql("UPDATE sessions SET state = ? WHERE id = 's'", ('{"diversity": 5.0}',))
    snapshot = store.snapshot("s")
    assert snapshot.state.liked_items == ["a1"] and "before the last turn" in snapshot.recovered
    assert "diversity" in snapshot.recovered and snapshot.version == 2
    full = _turn(DialogueState(liked_items=["z9"], turns=7)).model_dump_json()
    backend.sql("UPDATE sessions SET state = 'not json', previous = '{\"turns\": -1.5}'")
    backend.sql("UPDATE turns SET turn = ?", (full,))  # as versions that kept states per turn
    recovered = store.snapshot("s")
    assert recovered.state.liked_items == ["z9"] and "earlier turn" in recovered.recovered
    backend.sql("UPDATE turns SET turn = '{}'")
    assert store.snapshot("s").state == DialogueState() and store.load("s") == DialogueState()
    assert store.history("s") == []  # turns that cannot be read at all are left out
    assert store.save("s", EVENT, _turn(DialogueState(turns=3)), 2)  # and the session goes on
    assert store.snapshot("s").recovered is None


def test_a_state_that_would_not_load_back_is_never_stored(open_store):
    store = open_store()
    turn = _turn(DialogueState())
    turn.state.diversity = float("nan")  # an assignment is not validated
    with pytest.raises(InvalidState):
        store.save("s", EVENT, turn)
    assert store.load("s") is None and store.history("s") == []


def test_delete_and_prune_remove_sessions_with_their_turns(backend, open_store):
    store = open_store()
    for session in ("old", "recent", "gone"):
        store.save(session, EVENT, _turn(DialogueState(turns=1), session))
    assert store.delete("gone") and not store.delete("gone")
    assert store.history("gone") == [] and store.load("gone") is None
    backend.sql("UPDATE sessions SET updated = ? WHERE id = 'old'", (time.time() - 40 * 86400,))
    assert store.prune(30 * 86400) == 1 and store.prune(30 * 86400) == 0
    assert store.history("old") == [] and store.history("recent")
    assert backend.sql("SELECT session_id FROM turns") == [("recent",)]


# -- no lost update: two OS processes, each reading, changing and saving one session ------------


def _cycles(backend: Backend, session: str, n: int, checked: bool, start) -> None:
    """In a process of its own: `n` turns, each adding one to the session's turn counter."""
    start.wait()  # both open the store at once: on an empty database both create the tables
    store = backend.open()
    try:
        for _ in range(n):
            while True:  # the agent's loop: recompute from a fresh snapshot when refused
                snapshot = store.snapshot(session)
                state = snapshot.state.model_copy(update={"turns": snapshot.state.turns + 1})
                time.sleep(COMPUTE_S)  # the turn being computed
                version = snapshot.version if checked else None
                if store.save(session, EVENT, _turn(state, session), version):
                    break
    finally:
        store.close()


def _race(backend: Backend, checked: bool) -> tuple[int, int, float]:
    """(the final turn counter, the turns stored, seconds) after two processes' cycles."""
    context = multiprocessing.get_context("spawn")  # no connection or lock copied by fork
    start = context.Barrier(2)
    workers = [
        context.Process(target=_cycles, args=(backend, "race", CYCLES, checked, start))
        for _ in range(2)
    ]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0], "a worker failed: see its stderr"
    seconds = time.perf_counter() - began
    store = backend.open()
    try:
        return store.snapshot("race").state.turns, len(store.history("race")), seconds
    finally:
        store.close()


def test_two_processes_changing_one_session_lose_no_update(backend):
    turns, stored, _ = _race(backend, checked=True)
    assert (turns, stored) == (2 * CYCLES, 2 * CYCLES)


def test_without_the_version_check_the_same_race_loses_updates(backend):
    """The race above can fail: saving regardless of the version (what a store without the
    check does) loses turns although every save succeeds."""
    turns, stored, _ = _race(backend, checked=False)
    assert stored == 2 * CYCLES
    assert turns < 2 * CYCLES, "no update was lost: the race did not overlap, so it proves nothing"


def _open_each(backends: list[Backend], start) -> None:
    for backend in backends:
        start.wait()
        backend.open().close()


def test_processes_opening_a_new_store_at_once_all_work(backend, request, tmp_path):
    """Workers started together on a fresh data folder or an empty database: each creates the
    tables at the same instant (a collision is likely, not certain, on one try: hence several)."""
    with ExitStack() as stack:
        if backend.kind == "sqlite":
            fresh = [Backend("sqlite", str(tmp_path / f"{n}.sqlite3")) for n in range(8)]
        else:
            server = request.getfixturevalue("postgres_server")
            fresh = [
                Backend("postgresql", stack.enter_context(fresh_database(server))) for _ in range(8)
            ]
        context = multiprocessing.get_context("spawn")
        start = context.Barrier(3)
        workers = [context.Process(target=_open_each, args=(fresh, start)) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert [w.exitcode for w in workers] == [0, 0, 0], "a worker failed: see its stderr"
        assert not list(tmp_path.glob("*.damaged-*"))  # no file read as damaged while created
        for store in fresh:
            assert store.sql("SELECT COUNT(*) FROM sessions") == [(0,)]


def test_threads_sharing_one_store_lose_no_update(open_store):
    store = open_store()
    start = threading.Barrier(12)  # more threads than PostgreSQL connections in the pool

    def cycles() -> None:
        start.wait()
        for _ in range(5):
            while True:
                snapshot = store.snapshot("s")
                state = snapshot.state.model_copy(update={"turns": snapshot.state.turns + 1})
                if store.save("s", EVENT, _turn(state), snapshot.version):
                    break

    threads = [threading.Thread(target=cycles) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.snapshot("s").state.turns == 60 and len(store.history("s")) == 60


# -- PostgreSQL only: the URL, the server going away, the commands, the agent --------------------


def test_an_unreachable_server_is_named_and_the_password_is_not(postgres_server):
    from agent.session_postgres import PostgresSessionStore
    from tests.agent._postgres import _free_port

    url = f"postgresql://convrec:s3cret-pw@127.0.0.1:{_free_port()}/sessions"
    with pytest.raises(SessionStoreUnavailable) as refused:
        PostgresSessionStore(url + "?connect_timeout=3")
    message = str(refused.value)
    assert "postgresql://convrec@127.0.0.1:" in message and "/sessions" in message
    assert "Connection refused" in message and "s3cret" not in message
    missing = postgres_server.replace("postgres@", "postgres:s3cret-pw@") + "/no_such_db"
    with pytest.raises(SessionStoreUnavailable, match='database "no_such_db" does not exist'):
        PostgresSessionStore(missing)


def test_a_setting_that_is_not_a_postgresql_url_is_refused_naming_it():
    pytest.importorskip("psycopg")
    from agent.build import build_session_store
    from agent.settings import Settings

    with pytest.raises(ValueError, match="CONVREC_SESSIONS must be a postgresql://"):
        build_session_store(Settings(sessions="mysql://me:pw@host/db"))
    with pytest.raises(ValueError, match="not a valid PostgreSQL URL"):
        build_session_store(Settings(sessions="postgresql://me@host/db?no_such_option=1"))


def test_a_dropped_connection_fails_one_call_and_the_next_reconnects(postgres_url):
    store = Backend("postgresql", postgres_url).open()
    try:
        store.save("s", EVENT, _turn(DialogueState(turns=1)))
        Backend("postgresql", postgres_url).sql(  # as a server restart does
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'convrec' AND pid <> pg_backend_pid()"
        )
        with pytest.raises(SessionStoreUnavailable, match="failed"):
            store.snapshot("s")
        assert store.snapshot("s").state.turns == 1
    finally:
        store.close()


def test_the_sessions_commands_work_against_postgresql(postgres_url, monkeypatch, tmp_path, capsys):
    from convrec.cli import main as convrec

    monkeypatch.setenv("CONVREC_SESSIONS", postgres_url)
    db = ["--db", str(tmp_path)]  # holds no sessions file: the URL is what counts
    assert convrec(["sessions", "check", *db]) == 1
    assert "no sessions and no turns table" in capsys.readouterr().out
    store = Backend("postgresql", postgres_url).open()
    for session in ("old", "recent"):
        store.save(session, EVENT, _turn(DialogueState(turns=1), session))
    store.close()
    Backend("postgresql", postgres_url).sql("UPDATE sessions SET updated = 0 WHERE id = 'old'")
    assert convrec(["sessions", "check", *db]) == 0
    assert convrec(["sessions", "prune", "--older-than", "30", *db]) == 0
    assert convrec(["sessions", "delete", "recent", *db]) == 0
    assert convrec(["sessions", "delete", "recent", *db]) == 1
    out = capsys.readouterr().out
    assert ": ok" in out and "removed 1 session(s)" in out and "no session 'recent'" in out
    assert "/t_" in out and "@127.0.0.1:" in out  # the database is named
    assert Backend("postgresql", postgres_url).sql("SELECT COUNT(*) FROM turns") == [(0,)]
    monkeypatch.setenv("CONVREC_SESSIONS", postgres_url.rsplit(":", 1)[0] + ":1/x")
    assert convrec(["sessions", "check", *db]) == 1
    assert "cannot connect to the sessions database" in capsys.readouterr().out


def test_two_agents_on_one_postgresql_database_lose_no_press(make_agent, postgres_url):
    from agent.session_postgres import PostgresSessionStore

    agent, other = make_agent(sessions=postgres_url), make_agent(sessions=postgres_url)
    assert isinstance(agent.store, PostgresSessionStore) and agent.store is not other.store
    ids = list(agent.items())[:8]
    start = threading.Barrier(len(ids))
    turns: list[Turn] = []

    def press(on, item_id: str) -> None:
        start.wait()
        turns.append(on.feedback("s", item_id, "like"))

    threads = [
        threading.Thread(target=press, args=((agent, other)[n % 2], item_id))
        for n, item_id in enumerate(ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(t.error is None for t in turns)
    assert sorted(other.state("s").liked_items) == sorted(ids)
    assert sorted(e.item_id for e, _ in agent.history("s")) == sorted(ids)
    agent.store.close()
    other.store.close()
