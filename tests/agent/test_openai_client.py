"""The OpenAI-compatible client against a local stub server that speaks the protocol (SSE)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from agent.llm.base import ChatMessage, LLMUnavailable
from agent.llm.openai_model import OpenAICompatibleModel


class _Handler(BaseHTTPRequestHandler):
    reply = "Those are two classics!"
    requests: ClassVar[list[dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **body}
        )
        if body["model"] != "smol":
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "model not found"}}')
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for word in self.reply.split(" "):
            chunk = {
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {"content": word + " "}}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def test_streams_a_chat_completion(server):
    llm = OpenAICompatibleModel(server, "smol", api_key="k")
    text = llm.generate([ChatMessage(role="user", content="hi")], max_tokens=12, stop=["."])
    assert text.strip() == "Those are two classics!"
    sent = _Handler.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer k"
    assert sent["stream"] is True and sent["max_tokens"] == 12 and sent["stop"] == ["."]
    assert sent["messages"] == [{"role": "user", "content": "hi"}]


def test_server_errors_and_a_dead_server_are_llm_unavailable(server):
    with pytest.raises(LLMUnavailable, match="404"):
        OpenAICompatibleModel(server, "other").generate([ChatMessage(role="user", content="x")])
    dead = OpenAICompatibleModel("http://127.0.0.1:9/v1", "smol", timeout=2)
    with pytest.raises(LLMUnavailable, match="cannot reach"):
        dead.generate([ChatMessage(role="user", content="x")])


def test_agent_talks_to_the_server_through_settings(server, db):
    from agent import Settings, build_agent

    agent = build_agent(Settings(db=db, llm="openai", openai_base_url=server, openai_model="smol"))
    turn = agent.reply("s", "I loved Alien and Aliens")
    assert (
        turn.reply.startswith("Those are two classics! Here are 5 picks") and len(turn.items) == 5
    )


def test_openai_backend_without_url_names_the_setting(db):
    from agent import Settings, build_agent

    with pytest.raises(ValueError, match="CONVREC_OPENAI_BASE_URL"):
        build_agent(Settings(db=db, llm="openai"))
