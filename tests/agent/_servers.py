"""Local stand-ins for remote model servers that misbehave: they answer, fail, trickle keep-alive
lines forever, or accept connections and never answer. Real sockets on 127.0.0.1, no mocks."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = "Those are two classics!"


class StubServer:
    """An OpenAI-compatible chat server and a vLLM `/classify` server in one, whose behaviour
    the test sets through `mode`: "reply" (a proper answer), "fail" (503, echoing the
    credentials it was sent, as careless servers do) or "trickle" (200, then keep-alive lines
    until the client hangs up)."""

    def __init__(self) -> None:
        self.mode = "reply"
        self.requests: list[str] = []  # paths, one per request received
        self.hung_up = threading.Event()  # a client cut a trickled answer
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))

    def url(self, userinfo: str = "") -> str:
        return f"http://{userinfo}127.0.0.1:{self._httpd.server_address[1]}/v1"


@contextmanager
def stub_server() -> Iterator[StubServer]:
    """A running `StubServer`, stopped on exit."""
    server = StubServer()
    threading.Thread(target=server._httpd.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server._closing.set()
        server._httpd.shutdown()
        server._httpd.server_close()


def _handler(server: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            server.requests.append(self.path)
            if server.mode == "fail":
                self._fail()
            elif server.mode == "trickle":
                self._trickle()
            elif self.path.endswith("/classify"):
                self._classify()
            else:
                self._chat()

        def _fail(self):
            auth = self.headers.get("Authorization", "")
            said = f"refused {self.path} ({auth})"
            if auth.startswith("Basic "):
                said += f" for {base64.b64decode(auth[6:]).decode()}"
            elif auth.startswith("Bearer "):
                said += f" for key {auth[7:]}"
            self.send_response(503)
            self.end_headers()
            self.wfile.write(said.encode())

        def _trickle(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            try:
                while not server._closing.is_set():
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:  # the client hung up
                server.hung_up.set()

        def _chat(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for word in REPLY.split(" "):
                chunk = {"choices": [{"index": 0, "delta": {"content": word + " "}}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

        def _classify(self):
            from agent.schema import Intent

            probs = [1.0 if i == Intent.PREFERENCE else 0.0 for i in Intent]
            body = {"data": [{"index": 0, "label": "preference", "probs": probs}]}
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def silent_server() -> Iterator[str]:
    """The URL of a server that accepts connections (the kernel completes them) and never
    reads or answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(32)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
