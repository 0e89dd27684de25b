"""One rule for every failure of a model server: counted by its breaker, redacted, and raised as
`LLMUnavailable`, so the agent degrades the turn instead of failing it and no message carries a
password (the agent's catch-all would log an unredacted one)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from agent.llm.base import LLMUnavailable
from agent.llm.breaker import CircuitBreaker
from agent.llm.deadline import DeadlineExceeded
from agent.llm.redact import redact


@contextmanager
def guarded(
    breaker: CircuitBreaker, what: str, deadline: float, secrets: list[str]
) -> Iterator[None]:
    """Run a call to the server `what` ("the language model at URL"); success closes the
    breaker, any failure is counted and raised as a redacted `LLMUnavailable`."""
    try:
        yield
    except DeadlineExceeded:
        _failed(breaker, f"{what} did not answer within the {deadline:g}s deadline")
    except LLMUnavailable as exc:
        _failed(breaker, redact(str(exc), secrets))
    except Exception as exc:  # noqa: BLE001 (httpx, socket and TLS errors of every kind)
        _failed(breaker, f"cannot reach {what}: {type(exc).__name__}: {redact(str(exc), secrets)}")
    breaker.success()


def _failed(breaker: CircuitBreaker, message: str) -> NoReturn:
    breaker.failure(message)
    raise LLMUnavailable(message) from None  # the unredacted cause must not be printed
