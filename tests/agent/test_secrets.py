"""A password in the server URL or an API key never reaches what users, logs or the session
store see: the turn's error, the saved history, log records or stderr."""

from __future__ import annotations

import logging

from agent import Settings, build_agent
from agent.llm.redact import redact
from tests.agent._servers import stub_server

PASSWORD = "hunter2-s3cret"
API_KEY = "sk-test-0123456789"
MESSAGE = "I loved Alien and Aliens"


def _everything_shown(agent, turns, caplog, capsys) -> str:
    saved = " ".join(
        f"{event.model_dump_json()} {turn.model_dump_json()}" for event, turn in agent.history("s")
    )
    shown = " ".join(f"{t.error} {t.reply}" for t in turns)
    return f"{shown} {saved} {caplog.text} {capsys.readouterr().err}"


def test_a_password_in_the_llm_url_and_the_api_key_are_never_shown(db, caplog, capsys):
    caplog.set_level(logging.DEBUG)  # httpx logs every request URL at INFO
    with stub_server() as server:
        server.mode = "fail"  # and the server echoes the credentials it was sent
        agent = build_agent(
            Settings(
                db=db,
                llm="openai",
                openai_model="smol",
                openai_base_url=server.url(f"admin:{PASSWORD}@"),
                openai_api_key=API_KEY,
            )
        )
        turns = [agent.reply("s", MESSAGE) for _ in range(4)]  # the fourth: server skipped
    assert all(len(t.items) == 5 and t.error for t in turns)
    assert "503" in turns[0].error and "127.0.0.1" in turns[0].error  # still says what failed
    shown = _everything_shown(agent, turns, caplog, capsys)
    assert PASSWORD not in shown and API_KEY not in shown


def test_a_password_in_an_unreachable_llm_url_is_never_shown(db, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    agent = build_agent(
        Settings(
            db=db,
            llm="openai",
            openai_model="smol",
            openai_base_url=f"http://admin:{PASSWORD}@127.0.0.1:9/v1",
        )
    )
    turns = [agent.reply("s", MESSAGE)]
    assert "cannot reach" in turns[0].error and len(turns[0].items) == 5
    assert PASSWORD not in _everything_shown(agent, turns, caplog, capsys)


def test_a_password_in_the_intent_url_is_never_shown(db, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    with stub_server() as server:
        server.mode = "fail"
        agent = build_agent(
            Settings(db=db, llm="none", intent="head", intent_url=server.url(f"admin:{PASSWORD}@"))
        )
        turns = [agent.reply("s", MESSAGE)]
    assert server.requests == ["/classify"] and len(turns[0].items) == 5
    assert "intent classifier unavailable" in caplog.text  # the failure is still logged
    assert PASSWORD not in _everything_shown(agent, turns, caplog, capsys)


def test_redact_hides_userinfo_keys_and_known_secrets():
    text = (
        f"POST http://admin:{PASSWORD}@host:8000/v1 failed: Authorization: Bearer {API_KEY}"
        f" / Basic YWRtaW46aHVudGVy ?api_key=abc123&x=1 echo {PASSWORD}"
    )
    out = redact(text, [PASSWORD, None, ""])
    assert out == (
        "POST http://***@host:8000/v1 failed: Authorization: Bearer *** / Basic *** "
        "?api_key=***&x=1 echo ***"
    )
    assert (
        redact("http://127.0.0.1:8000/v1 answered 404") == "http://127.0.0.1:8000/v1 answered 404"
    )
