"""Give the C heap's free pages back to the system after a full read of the catalog.

A full read decodes the catalog in pages (Chroma answers a page of vectors as float64 arrays of
several MB). glibc serves such blocks from its heap once one was freed (its mmap threshold
rises), and keeps the heap's free pages after they are freed: measured at 100k items through a
Chroma server, the worker held 1.78 GB resident after warm-up of which 0.45 GB were free heap
pages. `malloc_trim` returns them; elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


def return_free_memory() -> bool:
    """Release the heap's free pages (glibc's `malloc_trim(0)`); True when it released any."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None
