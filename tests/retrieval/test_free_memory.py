"""After a full read of the catalog, the freed page buffers go back to the system."""

from __future__ import annotations

import json
import platform
import subprocess
import sys

import pytest

# Blocks of a few MB, freed while small long-lived objects sit after them in the heap: how a
# paged read of the catalog leaves glibc's heap (it keeps such pages resident).
SCRIPT = """
import json, os
import numpy as np
from retrieval.free_memory import return_free_memory

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

np.ones(750_000).sum()  # a first freed block raises glibc's mmap threshold: the rest are heap
pages, kept = [], []
for _ in range(60):
    pages.append(np.ones(750_000))  # 6 MB, as a page of 2000 vectors in float64
    kept.append(bytearray(1000))  # a long-lived object after it
del pages
before = rss_mb()
released = return_free_memory()
print(json.dumps({"before": before, "after": rss_mb(), "released": released}))
"""


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's heap"
)
def test_freed_read_buffers_leave_the_process():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    ).stdout
    figures = json.loads(out)
    assert figures["released"]
    # 360 MB were freed: most of them must no longer count in the process's memory
    assert figures["before"] - figures["after"] > 250, figures


# HTTP responses of a Chroma server sit in reference cycles (a response and its stream) holding
# their body; with millions of items alive Python's full collection runs rarely (disabled here).
CYCLES = """
import gc, json, os
from retrieval.free_memory import return_free_memory

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

gc.disable()
class Response:
    def __init__(self):
        self.content = os.urandom(6_000_000)  # a page's body
        self.stream = {"response": self}  # the cycle

for _ in range(60):
    Response()
before = rss_mb()
return_free_memory()
print(json.dumps({"before": before, "after": rss_mb()}))
"""


@pytest.mark.skipif(platform.system() != "Linux", reason="reads /proc/self/statm")
def test_page_bodies_held_by_reference_cycles_are_freed():
    out = subprocess.run(
        [sys.executable, "-c", CYCLES], capture_output=True, text=True, check=True
    ).stdout
    figures = json.loads(out)
    assert figures["before"] - figures["after"] > 250, figures
