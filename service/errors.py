"""Which failures are the client's (4xx) and which are a dependency's (503), in one place."""

from __future__ import annotations

from agent.agent import InvalidFeedback, InvalidMessage, InvalidSession, InvalidSetting, SessionBusy
from agent.schema import Turn
from agent.session_store import SessionStoreUnavailable

RETRY_AFTER_S = 5  # what a 503 tells a client to wait: the breakers retry a server after 30 s
# Exceptions raised by the clients of the servers the agent depends on. Matched by module so the
# service needs none of those packages installed to classify them.
_DEPENDENCY_MODULES = ("psycopg", "chromadb", "httpx", "httpcore", "sqlite3")


def status_of(exc: BaseException) -> int:
    """The HTTP status an exception raised outside a turn stands for."""
    if isinstance(exc, (InvalidMessage, InvalidSession, InvalidSetting, InvalidFeedback)):
        return 422
    if isinstance(exc, SessionBusy):
        return 409
    if is_unavailable(exc):
        return 503
    return 500


def is_unavailable(exc: BaseException) -> bool:
    """A server the agent needs (index, session store) did not answer: worth retrying."""
    if isinstance(exc, (ConnectionError, TimeoutError, SessionStoreUnavailable)):
        return True
    return type(exc).__module__.split(".")[0] in _DEPENDENCY_MODULES


def failed_status(turn: Turn) -> int | None:
    """The status of a turn the agent could not compute or save (it kept the old state and
    stored nothing); None for a saved turn, also a degraded one (e.g. no generated text)."""
    if turn.saved:
        return None
    return 409 if (turn.error or "").startswith("SessionBusy") else 503
