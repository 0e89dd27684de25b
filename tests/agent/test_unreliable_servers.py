"""Remote model servers that hang, trickle or keep failing: every turn still ends in bounded
time with its recommendations, says what went wrong, and a failing server is skipped for a
while instead of costing its deadline on every turn."""

from __future__ import annotations

import threading
import time

import pytest

from agent import Settings, build_agent
from agent.build import build_llm
from agent.llm.base import LLMUnavailable
from agent.llm.breaker import CircuitBreaker
from agent.llm.openai_model import OpenAICompatibleModel
from agent.llm.vllm_classifier import HTTPIntentClassifier
from tests.agent._servers import REPLY, silent_server, stub_server

DEADLINE = 1.0
MESSAGE = "I loved Alien and Aliens"


def _agent(db, url: str, **settings):
    return build_agent(
        Settings(
            db=db,
            llm="openai",
            openai_base_url=url,
            openai_model="smol",
            llm_deadline=DEADLINE,
            **settings,
        )
    )


def _timed_reply(agent, message: str = MESSAGE):
    started = time.monotonic()
    turn = agent.reply("s", message)
    return turn, time.monotonic() - started


class _Clock:
    """Time that moves only when the test says so: cool-downs without sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_server_that_trickles_keep_alives_is_cut_at_the_deadline(db):
    with stub_server() as server:
        server.mode = "trickle"
        turn, elapsed = _timed_reply(_agent(db, server.url()))
        # Before: each keep-alive line restarted httpx's read timeout and the turn never ended.
        assert elapsed < DEADLINE + 5
        assert len(turn.items) == 5 and turn.reply.startswith("Here are 5 picks")
        assert "deadline" in turn.error
        assert server.hung_up.wait(5)  # the connection is dropped, not streamed on in the dark


def test_a_server_that_never_answers_costs_the_deadline_not_the_timeout(db):
    with silent_server() as url:
        turn, elapsed = _timed_reply(_agent(db, url, llm_timeout=30))
    assert elapsed < DEADLINE + 5  # before: the 30 s read timeout, on every turn
    assert len(turn.items) == 5 and "deadline" in turn.error


def test_sessions_at_once_on_a_trickling_server_all_end_with_their_picks(db):
    with stub_server() as server:
        server.mode = "trickle"
        agent = _agent(db, server.url())
        turns: dict[str, object] = {}
        threads = [
            threading.Thread(target=lambda s=s: turns.update({s: agent.reply(s, MESSAGE)}))
            for s in ("a", "b", "c", "d")
        ]  # the web app serves four sessions at once
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    for turn in turns.values():
        assert len(turn.items) == 5 and ("deadline" in turn.error or "skipped" in turn.error)


def test_a_failing_server_is_skipped_after_three_failures_until_the_cooldown(make_agent):
    clock = _Clock()
    with stub_server() as server:
        server.mode = "fail"
        llm = OpenAICompatibleModel(
            server.url(), "smol", breaker=CircuitBreaker(3, cooldown=0.5, clock=clock)
        )
        agent = make_agent(llm=llm)
        failed = [agent.reply("s", MESSAGE) for _ in range(3)]
        assert all(len(t.items) == 5 and "503" in t.error for t in failed)

        skipped = agent.reply("s", "I loved Toy Story")
        assert len(server.requests) == 3  # the fourth turn did not wait on the server at all
        assert len(skipped.items) == 5 and "skipped" in skipped.error
        assert "after 3 failures" in skipped.error and "503" in skipped.error

        clock.now += 0.6  # past the cool-down: one trial, and the server works again
        server.mode = "reply"
        back = agent.reply("s", "I loved The Terminator")
        assert back.error is None and back.reply.startswith(REPLY)
        again = agent.reply("s", "I loved Back to the Future")
        assert again.error is None and len(server.requests) == 5


def test_a_trial_after_the_cooldown_that_fails_skips_the_server_again(make_agent):
    clock = _Clock()
    with stub_server() as server:
        server.mode = "fail"
        llm = OpenAICompatibleModel(
            server.url(), "smol", breaker=CircuitBreaker(3, cooldown=30, clock=clock)
        )
        agent = make_agent(llm=llm)
        for _ in range(3):
            agent.reply("s", MESSAGE)
        clock.now += 31
        assert "503" in agent.reply("s", MESSAGE).error  # the trial reached the server
        skipped = agent.reply("s", MESSAGE)
        assert len(server.requests) == 4 and "skipped for 30s" in skipped.error


def test_deadline_and_breaker_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CONVREC_LLM_DEADLINE", "2.5")
    monkeypatch.setenv("CONVREC_LLM_BREAKER_FAILURES", "5")
    monkeypatch.setenv("CONVREC_LLM_BREAKER_COOLDOWN", "12")
    settings = Settings.from_env(
        llm="openai", openai_base_url="http://127.0.0.1:9/v1", openai_model="smol"
    )
    llm = build_llm(settings)
    assert llm.deadline == 2.5 and llm.breaker.failures == 5 and llm.breaker.cooldown == 12


def test_a_trickling_intent_server_is_cut_at_the_deadline_then_skipped():
    with stub_server() as server:
        server.mode = "trickle"
        classifier = HTTPIntentClassifier(server.url(), deadline=0.5)
        for _ in range(3):
            started = time.monotonic()
            with pytest.raises(LLMUnavailable, match="deadline"):
                classifier.classify(["Agent: hi\nUser: I loved Alien"])
            assert time.monotonic() - started < 0.5 + 5  # before: never, keep-alives kept it open
        with pytest.raises(LLMUnavailable, match="skipped"):
            classifier.classify(["Agent: hi\nUser: I loved Alien"])
        assert len(server.requests) == 3


def test_a_silent_intent_server_costs_its_deadline_and_the_rules_decide(db):
    with silent_server() as url:
        agent = build_agent(
            Settings(
                db=db,
                llm="none",
                intent="head",
                intent_url=url,
                intent_deadline=DEADLINE,
                llm_timeout=30,
            )
        )
        turn, elapsed = _timed_reply(agent)
    assert elapsed < DEADLINE + 5  # before: the 30 s read timeout, on every turn
    assert turn.action == "recommend" and len(turn.items) == 5


def test_a_working_intent_server_is_used_through_settings(db):
    with stub_server() as server:
        agent = build_agent(Settings(db=db, llm="none", intent="head", intent_url=server.url()))
        turn = agent.reply("s", MESSAGE)
    assert server.requests == ["/classify"] and len(turn.items) == 5
