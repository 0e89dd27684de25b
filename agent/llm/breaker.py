"""A circuit breaker for a remote model: after repeated failures, skip it for a while.

A dead or hanging server would otherwise cost its whole deadline on every turn of every session.
After `failures` failures in a row the breaker opens and calls fail at once for `cooldown`
seconds; then one call is let through as a trial (the others keep failing fast), and its success
closes the breaker again while its failure opens it for another cool-down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from agent.llm.base import LLMUnavailable


class CircuitBreaker:
    """Shared by all sessions that use one backend; every method is thread-safe.

    Args:
        failures: consecutive failures that open the breaker (at least 1).
        cooldown: seconds a backend is skipped once open.
        clock: monotonic seconds; tests may pass their own.
    """

    def __init__(
        self,
        failures: int = 3,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failures < 1:
            raise ValueError(f"failures must be at least 1, not {failures}")
        self.failures = failures
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._count = 0  # consecutive failures
        self._open_until = 0.0  # while in the future, calls are skipped
        self._last = ""  # why the last call failed, to say why calls are skipped

    def check(self, subject: str) -> None:
        """Return when a call may go ahead; a call let through after the cool-down is the trial.

        Raises:
            LLMUnavailable: the breaker is open; names `subject`, the wait and the last failure.
        """
        with self._lock:
            if self._count < self.failures:
                return
            now = self._clock()
            if now >= self._open_until:
                self._open_until = now + self.cooldown  # others wait while the trial runs
                return
            left = self._open_until - now
            raise LLMUnavailable(
                f"{subject} skipped for {_seconds(left)} after {self._count} failures in a row "
                f"(last: {self._last})"
            )

    def success(self) -> None:
        with self._lock:
            self._count = 0

    def failure(self, reason: str) -> None:
        """Count a failed call; `reason` must already be redacted (it is shown to users)."""
        with self._lock:
            self._count += 1
            self._last = reason[:200]
            if self._count >= self.failures:
                self._open_until = self._clock() + self.cooldown


def _seconds(value: float) -> str:
    return f"{value:.0f}s" if value >= 10 else f"{value:.1f}s"
