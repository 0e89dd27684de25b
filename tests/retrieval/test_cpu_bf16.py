"""Encoding under bfloat16 products gives the vectors retrieval was built on."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval import cpu_bf16

TEXTS = [
    "I loved Alien and Aliens, anything as scary but set in space?",
    "something light for a family evening, no horror please",
    "A young wizard discovers his heritage and attends a school of magic.",
]


@pytest.fixture
def precision(monkeypatch):
    """Sets CONVREC_BF16 for the test (the detection is cached per process)."""

    def use(value: str) -> None:
        monkeypatch.setenv("CONVREC_BF16", value)
        cpu_bf16.native_bf16.cache_clear()

    yield use
    monkeypatch.delenv("CONVREC_BF16", raising=False)
    cpu_bf16.native_bf16.cache_clear()


def test_the_setting_turns_bf16_on_and_off(precision):
    precision("0")
    assert not cpu_bf16.native_bf16()
    precision("1")
    assert cpu_bf16.native_bf16()


def test_bf16_vectors_rank_items_as_float32_ones(embedder, precision):
    precision("0")
    exact = embedder.embed(TEXTS)
    precision("1")
    fast = embedder.embed(TEXTS)
    assert fast.dtype == np.float32
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    assert (np.sum(exact * fast, axis=1) > 0.9995).all()
    # the same nearest text for every text: what a search would return
    assert (np.argsort(-(fast @ exact.T), axis=1)[:, 0] == np.arange(len(TEXTS))).all()
