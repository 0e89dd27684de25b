"""Mini-batches for training on CPU, shared by the trainers of the intent head and the reply
generator: padding is most of the CPU cost, so examples of similar length go together."""

from __future__ import annotations

import random
from collections.abc import Iterator


def length_grouped_batches(
    lengths: list[int], size: int, seed: int, pool: int = 8
) -> Iterator[list[int]]:
    """Endless shuffled mini-batches of indices, reshuffled every epoch. Within each pool of
    `pool` batches, examples of similar length go together; the batches are then shuffled so
    that lengths do not drift through an epoch."""
    rng = random.Random(seed)
    while True:
        order = list(range(len(lengths)))
        rng.shuffle(order)
        batches = []
        for start in range(0, len(order), size * pool):
            chunk = sorted(order[start : start + size * pool], key=lengths.__getitem__)
            batches += [chunk[i : i + size] for i in range(0, len(chunk), size)]
        rng.shuffle(batches)
        yield from batches
