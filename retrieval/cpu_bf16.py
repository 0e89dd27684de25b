"""bfloat16 matrix products for encoding text on CPUs that compute them natively.

Indexing embeds every item's text, and a turn with a new text runs two encoders (the query, the
dialogue encoder). Under bfloat16 autocast the products run on the CPU's AVX512-BF16 / AMX units
with float32 accumulation; the vectors stay float32, with a cosine of at least 0.99995 to the
float32 ones, at 1.7x the documents per second and 1.15-1.24x for one text
(`benchmarks/embedding_precision.py`, 60 ReDial texts). Where the CPU lacks those units
bfloat16 is emulated and slower, so it is used only where they exist (CONVREC_BF16=0 turns it
off, =1 forces it).
"""

from __future__ import annotations

import contextlib
import functools
import os


@functools.cache
def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 products natively (or CONVREC_BF16 says so)."""
    setting = os.environ.get("CONVREC_BF16", "").strip()
    if setting in ("0", "1"):
        return setting == "1"
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    # private helpers of torch.cpu (torch >= 2.3); without them, assume no native support
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def bf16_products() -> contextlib.AbstractContextManager:
    """A context in which torch's CPU matrix products run in bfloat16, where that is native."""
    if not native_bf16():
        return contextlib.nullcontext()
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16)
