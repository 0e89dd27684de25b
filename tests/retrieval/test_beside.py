"""`beside`: a turn's independent half runs in another thread while the caller goes on."""

import threading

import pytest

from retrieval._threads import beside


def test_the_call_runs_while_the_caller_goes_on():
    started = threading.Event()
    release = threading.Event()

    def half() -> str:
        started.set()
        assert release.wait(5), "the caller never went on"
        return "done"

    future = beside(half)
    assert started.wait(5)  # running before the caller asked for its result
    release.set()  # the caller's own work, while the other half waits
    assert future.result(timeout=5) == "done"


def test_an_error_reaches_the_caller():
    def half(x: int) -> int:
        raise ValueError(f"bad {x}")

    with pytest.raises(ValueError, match="bad 3"):
        beside(half, 3).result(timeout=5)
