"""Give the memory a full read of the catalog leaves behind back to the system.

Two things stay behind after the paged read (Chroma answers a page of 5000 vectors as ~23 MB of
JSON):
- Garbage in reference cycles. Each HTTP response of a Chroma server (httpx 0.28: a response
  outlives `del` until a cyclic collection) holds its body twice, as bytes and as text, and is
  freed only by a full collection, which Python runs rarely once millions of items are alive.
  At 1M items the worker still held about 5 GB of them after warm-up.
- Free pages of glibc's heap: at 100k items through a server, 0.45 GB of the 1.78 GB resident.
So: a full collection, then `malloc_trim(0)` (elsewhere than glibc, the collection only).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc


def return_free_memory() -> bool:
    """Collect cyclic garbage, then release the heap's free pages (glibc's `malloc_trim(0)`);
    True when pages were released. Seconds at 1M items: for after a full read, not per turn."""
    gc.collect()
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None
