"""An overall deadline on a blocking stream (an HTTP answer read piece by piece).

httpx's timeouts bound each connect and each read, not the whole answer: a server that sends a
keep-alive line every few seconds keeps a read-by-read client waiting forever. So the stream is
read in a worker thread and the caller waits on a queue, never longer than the time left. At the
deadline the caller gets `DeadlineExceeded` at once; the worker notices after its current read
(bounded by the per-read timeout, which callers set no longer than the deadline) and closes the
stream.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import TypeVar

T = TypeVar("T")
_ITEM, _END, _ERROR = range(3)


class DeadlineExceeded(TimeoutError):
    """The stream did not end within its deadline."""


def within_deadline(produce: Callable[[], Generator[T, None, None]], seconds: float) -> Iterator[T]:
    """Yield what `produce()` yields, until it ends or `seconds` have passed in all.

    Args:
        produce: opens the stream and yields its pieces; it runs in a worker thread and is
            closed (its `finally` and `with` blocks run) as soon as the caller stops waiting.
            It should yield often (raw lines, not only useful ones): the worker can only stop
            between pieces.
        seconds: the deadline for everything, from the call on: connecting, waiting, reading.

    Raises:
        DeadlineExceeded: the deadline passed first; what was yielded before stays valid.
        Exception: whatever `produce` raised, re-raised in the caller's thread.
    """
    inbox: queue.Queue = queue.Queue()
    stop = threading.Event()
    end = time.monotonic() + seconds
    threading.Thread(target=_pump, args=(produce, inbox, stop), daemon=True).start()
    try:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise DeadlineExceeded(f"no complete answer within {seconds:g}s")
            try:
                kind, value = inbox.get(timeout=left)
            except queue.Empty:
                raise DeadlineExceeded(f"no complete answer within {seconds:g}s") from None
            if kind == _END:
                return
            if kind == _ERROR:
                raise value
            yield value
    finally:
        stop.set()  # also when the caller abandons the stream early


def _pump(produce: Callable[[], Generator], inbox: queue.Queue, stop: threading.Event) -> None:
    pieces = None
    try:
        pieces = produce()
        for piece in pieces:
            if stop.is_set():
                return
            inbox.put((_ITEM, piece))
        inbox.put((_END, None))
    except BaseException as exc:  # noqa: BLE001 (handed to the caller, who decides)
        inbox.put((_ERROR, exc))
    finally:
        if pieces is not None:
            pieces.close()  # leaves the stream's `with` block: the connection is closed
