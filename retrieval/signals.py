"""The names of the ranking signals: defined once, so a misspelt name fails loudly.

`Ranker.signals` produces exactly these per candidate; `RankWeights` weighs a subset of them
(plus the cross-encoder's `rerank`); `LearnedScorer` reads `FEATURES` in this order, which is
also the column order of every saved model, so new names go at the end.
"""

from __future__ import annotations

FEATURES = (
    "similarity",
    "collaborative",
    "popularity",
    "genre",
    "people",
    "seed_similarity",
    "seed_genre",
    "era",
    "suggested",
    "collab_max",
    "collab_last",
    "collab_count",
    "shared_people",
    "same_director",
    "year",
    "seeds",
    "has_text",
)
# The dialogue-encoder similarity is added outside the trees (see LearnedScorer.score).
SIGNALS = (*FEATURES, "dialogue")


class UnknownSignal(KeyError):
    """A signal name that `SIGNALS` does not define."""


def check_names(names) -> None:
    """Raise when `names` holds anything but known signal names."""
    unknown = set(names) - set(SIGNALS)
    if unknown:
        raise UnknownSignal(f"unknown ranking signals {sorted(unknown)}; known: {SIGNALS}")
