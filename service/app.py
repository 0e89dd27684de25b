"""The HTTP API over one `Agent`: sessions, messages (JSON or server-sent events), feedback,
items, health. Every handler is a plain function run in the server's thread pool, because the
agent's work is CPU-bound and blocking; turns of one session are serialised by the agent (also
across processes, through the session store's version check)."""

from __future__ import annotations

import hmac
import logging
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, FastAPI, Path, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from agent.schema import Turn
from retrieval.schema import Item
from service.errors import RETRY_AFTER_S, failed_status, status_of
from service.events import turn_events
from service.limits import BodyLimit
from service.schema import (
    SESSION_ID_PATTERN,
    Exchange,
    FeedbackRequest,
    Health,
    MessageRequest,
    Problem,
    SessionView,
)
from service.settings import ServiceSettings

if TYPE_CHECKING:
    from agent.agent import Agent

log = logging.getLogger(__name__)

API_VERSION = "1.0.0"
SessionId = Annotated[
    str,
    Path(
        pattern=SESSION_ID_PATTERN,
        description="Chosen by the client (e.g. a UUID); the session is created on first use.",
    ),
]
_ERRORS = {
    401: {"model": Problem, "description": "Missing or wrong API key (when one is set)."},
    409: {"model": Problem, "description": "Another action on this session is still running."},
    413: {"model": Problem, "description": "The request body is over the size limit."},
    422: {"model": Problem, "description": "A message, id or value the agent cannot take."},
    503: {"model": Problem, "description": "A server the agent needs is down; retry later."},
}


def create_app(agent: Agent, settings: ServiceSettings | None = None) -> FastAPI:
    """The API over `agent` (built once per process and shared by every request)."""
    settings = settings or ServiceSettings()
    app = FastAPI(
        title="convrec",
        version=API_VERSION,
        description="A conversational recommender: chat with it, press like / dislike / seen "
        "on its picks, read the items. Turns of one session run one after another.",
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    # The bearer scheme is in the spec only when a key is set: a keyless server asks for none.
    v1 = [Depends(_ApiKeyCheck(settings))] if settings.api_key else []

    @app.post(
        "/v1/sessions/{session_id}/messages",
        response_model=Turn,
        responses={
            **_ERRORS,
            200: {
                "description": "The turn; with `stream: true`, server-sent events instead: "
                "`items` (the turn with its picks, before any text), `reply` (the text so far, "
                "once per checked sentence) and `turn` (the final, saved turn).",
                # Every event's data is one JSON object (see `service.events`).
                "content": {"text/event-stream": {"schema": {"type": "object"}}},
            },
        },
        dependencies=v1,
        tags=["sessions"],
    )
    def post_message(session_id: SessionId, body: MessageRequest):
        """Answer one user message in a session (created on first use)."""
        with _answers():
            if not body.stream:
                return _turn_response(agent.reply(session_id, body.text))
            stream = agent.reply_stream(session_id, body.text)
            # The first preview (the picks) is computed before answering, so a refused message
            # or a down dependency is a 4xx/503 answer, not an event inside a 200 stream.
            first = next(stream)
        if failed_status(first) is not None:
            stream.close()
            return _turn_response(first)
        return StreamingResponse(
            turn_events(first, stream),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @app.post(
        "/v1/sessions/{session_id}/feedback",
        response_model=Turn,
        responses={**_ERRORS, 404: {"model": Problem, "description": "No such item."}},
        dependencies=v1,
        tags=["sessions"],
    )
    def post_feedback(session_id: SessionId, body: FeedbackRequest):
        """A button press on a recommended item; returns fresh picks that take it into account."""
        with _answers():
            if body.item_id not in agent.items():
                raise HTTPException(404, f"unknown item id {body.item_id!r}")
            return _turn_response(agent.feedback(session_id, body.item_id, body.reaction))

    @app.post(
        "/v1/sessions/{session_id}/undo",
        response_model=Turn,
        responses=_ERRORS,
        dependencies=v1,
        tags=["sessions"],
    )
    def post_undo(session_id: SessionId):
        """Take back the latest change to the session (the picks before it come back)."""
        with _answers():
            return _turn_response(agent.undo(session_id))

    @app.get(
        "/v1/sessions/{session_id}",
        response_model=SessionView,
        responses={**_ERRORS, 404: {"model": Problem, "description": "No such session."}},
        dependencies=v1,
        tags=["sessions"],
    )
    def get_session(session_id: SessionId) -> SessionView:
        """The session's current state and its history, oldest first."""
        with _answers():
            history = agent.history(session_id)
            if not history:
                raise HTTPException(404, f"no session {session_id!r}")
            return SessionView(
                session_id=session_id,
                state=agent.state(session_id),
                history=[Exchange(event=event, turn=turn) for event, turn in history],
            )

    @app.delete(
        "/v1/sessions/{session_id}",
        status_code=204,
        responses={**_ERRORS, 404: {"model": Problem, "description": "No such session."}},
        dependencies=v1,
        tags=["sessions"],
    )
    def delete_session(session_id: SessionId) -> Response:
        """Forget a session: its state and history."""
        with _answers():
            if not agent.delete_session(session_id):
                raise HTTPException(404, f"no session {session_id!r}")
        return Response(status_code=204)

    @app.get(
        "/v1/items/{item_id}",
        response_model=Item,
        responses={**_ERRORS, 404: {"model": Problem, "description": "No such item."}},
        dependencies=v1,
        tags=["items"],
    )
    def get_item(item_id: str) -> Item:
        """One catalog item, as indexed."""
        with _answers():
            item = agent.items().get(item_id)
        if item is None:
            raise HTTPException(404, f"no item {item_id!r} in the catalog")
        return item

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        """The process is up (no dependency is checked)."""
        return Health(status="ok")

    @app.get(
        "/readyz",
        response_model=Health,
        responses={503: {"model": Health, "description": "A dependency is down."}},
        tags=["health"],
    )
    def readyz():
        """Whether turns can be answered: the catalog index and the session store answer."""
        checks = {"index": _check(lambda: _has_items(agent))}
        checks["sessions"] = _check(lambda: agent.store.snapshot("readyz-probe"))
        ready = all(value == "ok" for value in checks.values())
        health = Health(status="ok" if ready else "unavailable", checks=checks)
        return JSONResponse(health.model_dump(), status_code=200 if ready else 503)

    return app


def _turn_response(turn: Turn) -> Turn | JSONResponse:
    """A saved turn as 200; one the agent could not compute or save as 409/503 with its text."""
    status = failed_status(turn)
    if status is None:
        return turn
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
    detail = f"{turn.reply} ({turn.error})"
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _has_items(agent: Agent) -> None:
    if len(agent.pipeline.context.index) == 0:
        raise RuntimeError("the catalog index is empty: run `convrec index`")


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 -- a readiness probe reports, never fails
        return f"{type(exc).__name__}: {exc}"[:300]
    return "ok"


_BEARER = HTTPBearer(auto_error=False, description="The server's API key, when it has one.")


class _ApiKeyCheck:
    """A dependency that lets a request through when no key is set or it carries the key."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.key = settings.api_key

    def __call__(
        self, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]
    ) -> None:
        if self.key is None:
            return
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), self.key.get_secret_value().encode()):
            raise HTTPException(
                401, "missing or wrong API key", headers={"WWW-Authenticate": "Bearer"}
            )


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A request that does not fit the spec, in one readable line: `body.text: Field required`."""
    problems = [
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
    ]
    return JSONResponse({"detail": "; ".join(problems)}, status_code=422)


@contextmanager
def _answers():
    """The agent's exceptions as clear 4xx answers and a down dependency as 503 with
    Retry-After; anything else is a bug and stays a 500 (logged with its trace)."""
    try:
        yield
    except HTTPException:
        raise
    except Exception as exc:
        status = status_of(exc)
        if status == 500:
            raise
        headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
        raise HTTPException(status, str(exc) or type(exc).__name__, headers=headers) from exc
