"""The HTTP API over a real agent (the small ReDial index, no language model)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _events(text: str) -> list[tuple[str, dict]]:
    """Server-sent events as (name, data) pairs."""
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_a_message_gets_picks_and_the_session_remembers_it(client):
    r = client.post("/v1/sessions/api-1/messages", json={"text": "I loved Alien, more sci-fi"})
    assert r.status_code == 200, r.text
    turn = r.json()
    assert turn["action"] == "recommend" and len(turn["items"]) == 5
    assert all(item["reason"] for item in turn["items"])
    session = client.get("/v1/sessions/api-1").json()
    assert [x["event"]["text"] for x in session["history"]] == ["I loved Alien, more sci-fi"]
    assert session["state"]["last_shown"] == [item["id"] for item in turn["items"]]


def test_streaming_sends_the_items_first_then_the_saved_turn(client):
    r = client.post(
        "/v1/sessions/api-2/messages", json={"text": "a funny comedy please", "stream": True}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    assert events[0][0] == "items" and len(events[0][1]["items"]) == 5
    assert events[-1][0] == "turn"
    assert [i["id"] for i in events[-1][1]["items"]] == [i["id"] for i in events[0][1]["items"]]
    assert any(name == "reply" for name, _ in events)


def test_feedback_changes_the_picks_and_unknown_items_are_refused(client):
    first = client.post("/v1/sessions/api-3/messages", json={"text": "space adventures"}).json()
    pressed = first["items"][0]["id"]
    r = client.post("/v1/sessions/api-3/feedback", json={"item_id": pressed, "reaction": "seen"})
    assert r.status_code == 200 and pressed not in [i["id"] for i in r.json()["items"]]
    r = client.post("/v1/sessions/api-3/feedback", json={"item_id": "no-such", "reaction": "like"})
    assert r.status_code == 404 and "unknown item id 'no-such'" in r.json()["detail"]
    r = client.post("/v1/sessions/api-3/feedback", json={"item_id": pressed, "reaction": "meh"})
    assert r.status_code == 422  # not one of like / dislike / seen
    assert len(client.get("/v1/sessions/api-3").json()["history"]) == 2  # nothing lost


def test_undo_brings_back_the_picks_before_the_change(client):
    first = client.post("/v1/sessions/api-4/messages", json={"text": "horror movies"}).json()
    client.post("/v1/sessions/api-4/messages", json={"text": "actually comedies instead"})
    r = client.post("/v1/sessions/api-4/undo")
    assert r.status_code == 200
    assert [i["id"] for i in r.json()["items"]] == [i["id"] for i in first["items"]]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"text": "   "}, "body.text: String should match pattern"),
        ({"text": "x" * 2001}, "body.text: String should have at most 2000 characters"),
        ({"text": "hi", "colour": "red"}, "Extra inputs are not permitted"),
        ({}, "Field required"),
    ],
)
def test_bad_messages_get_a_clear_422_and_lose_nothing(client, body, expected):
    client.post("/v1/sessions/api-5/messages", json={"text": "thrillers"})
    r = client.post("/v1/sessions/api-5/messages", json=body)
    assert r.status_code == 422 and expected in json.dumps(r.json())
    assert len(client.get("/v1/sessions/api-5").json()["history"]) >= 1


def test_a_body_over_the_limit_is_refused_before_it_is_read(client):
    r = client.post(
        "/v1/sessions/api-6/messages",
        content=json.dumps({"text": "a" * 100_000}),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413 and "over the limit" in r.json()["detail"]
    assert client.get("/v1/sessions/api-6").status_code == 404  # nothing was stored


def test_session_ids_are_url_safe_text(client):
    r = client.get("/v1/sessions/bad%20id%0A")
    assert r.status_code == 422 and "session_id: String should match pattern" in r.json()["detail"]


def test_unknown_sessions_and_items_are_404(client):
    assert client.get("/v1/sessions/never-seen").status_code == 404
    assert client.delete("/v1/sessions/never-seen").status_code == 404
    r = client.get("/v1/items/no-such-item")
    assert r.status_code == 404 and "no item 'no-such-item'" in r.json()["detail"]


def test_an_item_reads_back_as_indexed(client, service_agent):
    item = next(iter(service_agent.items().values()))
    r = client.get(f"/v1/items/{item.id}")
    assert r.status_code == 200 and r.json()["title"] == item.title


def test_delete_forgets_the_session(client):
    client.post("/v1/sessions/api-7/messages", json={"text": "westerns"})
    assert client.delete("/v1/sessions/api-7").status_code == 204
    assert client.get("/v1/sessions/api-7").status_code == 404


def test_a_session_busy_with_another_turn_answers_409(client, service_agent):
    stream = service_agent.reply_stream("api-8", "crime dramas")
    next(stream)  # the session stays locked until this stream ends
    try:
        r = client.post("/v1/sessions/api-8/messages", json={"text": "something else"})
        assert r.status_code == 409 and "another action" in r.json()["detail"]
    finally:
        stream.close()
    assert client.post("/v1/sessions/api-8/messages", json={"text": "ok"}).status_code == 200


def test_concurrent_sessions_never_mix(client):
    texts = {f"api-par-{i}": f"movies like number {i}, thrillers" for i in range(6)}
    codes = []

    def talk(session_id, text):
        codes.append(client.post(f"/v1/sessions/{session_id}/messages", json={"text": text}))

    threads = [threading.Thread(target=talk, args=pair) for pair in texts.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in codes] == [200] * len(texts)
    for session_id, text in texts.items():
        history = client.get(f"/v1/sessions/{session_id}").json()["history"]
        assert [x["event"]["text"] for x in history] == [text]


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok", "checks": {}}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"index": "ok", "sessions": "ok"}


class _DownStore:
    """A session store whose server does not answer (what a stopped PostgreSQL looks like)."""

    def snapshot(self, session_id):
        raise ConnectionError("connection to the session store at db.example:5432 refused")

    history = save = delete = snapshot


def test_a_down_session_store_is_503_with_retry_after(service_agent):
    from fastapi.testclient import TestClient

    from service.app import create_app

    down = service_agent.__class__(
        service_agent.pipeline,
        service_agent.intent_model,
        service_agent.tracker,
        service_agent.writer,
        _DownStore(),
        service_agent.linker,
    )
    client = TestClient(create_app(down))
    r = client.post("/v1/sessions/api-9/messages", json={"text": "thrillers"})
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert "conversation is kept" in r.json()["detail"] and "refused" in r.json()["detail"]
    r = client.get("/v1/sessions/api-9")
    assert r.status_code == 503 and "db.example:5432 refused" in r.json()["detail"]
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "refused" in ready.json()["checks"]["sessions"]


def test_an_api_key_guards_v1_but_not_health(service_agent):
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import ServiceSettings

    client = TestClient(create_app(service_agent, ServiceSettings(api_key="s3cret")))
    url, body = "/v1/sessions/api-10/messages", {"text": "dramas"}
    assert client.post(url, json=body).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post(url, json=body, headers=wrong).status_code == 401
    right = {"Authorization": "Bearer s3cret"}
    assert client.post(url, json=body, headers=right).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_committed_openapi_spec_is_current():
    from convrec.commands.serve import openapi

    committed = json.loads((REPO / "service" / "openapi.json").read_text())
    assert committed == json.loads(json.dumps(openapi())), (
        "service/openapi.json is stale: convrec serve --print-openapi > service/openapi.json"
    )


def test_the_browser_app_mounts_in_the_same_server(service_agent):
    from fastapi.testclient import TestClient

    from service.app import create_app
    from ui.app import mount

    client = TestClient(mount(create_app(service_agent), service_agent, "/ui"))
    page = client.get("/ui/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert client.get("/healthz").status_code == 200
