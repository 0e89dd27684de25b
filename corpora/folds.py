"""Folds of the ReDial valid split, and co-occurrence models counted without each fold.

Tuning and training on valid hold whole dialogues out by fold, so nothing learned from a
dialogue is ever scored on it. IARD's extra dialogues (`corpora/iard_redial.py`) fall into folds
by id like valid ones.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from corpora.iard_redial import learning_dialogues
from corpora.redial import read_dialogues
from retrieval.collaborative import CoOccurrence

FOLDS = 5


def fold_of(dialogue_id: str, folds: int = FOLDS) -> int:
    """A stable fold for a dialogue, so held-out tuning never sees its own dialogue's counts."""
    return int(hashlib.md5(dialogue_id.encode()).hexdigest(), 16) % folds


def collaborative_models(
    redial_dir: Path, split: str, iard: bool = True
) -> dict[int, CoOccurrence]:
    """Per-fold models for valid (each without its own fold's dialogues), one model for test.

    Args:
        redial_dir: the ReDial folder; IARD is read from `iard/` beside it when present.
        split: "valid" gives {fold: model}; anything else {0: model on every dialogue}.
        iard: also count IARD's non-test ReDial dialogues (False: the valid split only).
    """
    dialogues = learning_dialogues(redial_dir) if iard else read_dialogues(redial_dir)
    if split != "valid":
        return {0: CoOccurrence.build(dialogues)}
    return {
        fold: CoOccurrence.build(
            dialogues, exclude={d.dialogue_id for d in dialogues if fold_of(d.dialogue_id) == fold}
        )
        for fold in range(FOLDS)
    }
