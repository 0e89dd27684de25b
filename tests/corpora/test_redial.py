"""ReDial readers: the dedup protocol and the valid folds."""

from __future__ import annotations

from corpora.folds import FOLDS, fold_of
from corpora.redial import RecTurn, instances, load_turns


def test_dedup_drops_targets_mentioned_earlier():
    turn = RecTurn("d", 3, ["I loved Alien (1979)"], mentioned=["1", "2"], targets=["2", "3"])
    assert instances(turn, "dedup") == ["3"]
    assert instances(turn, "full") == ["2", "3"]


def test_valid_turns_fall_into_stable_folds(redial_dir):
    turns = load_turns(redial_dir, "valid", "dedup", limit=200)
    assert len(turns) == 200 and all(instances(t, "dedup") for t in turns)
    folds = {fold_of(t.dialogue_id) for t in turns}
    assert folds == set(range(FOLDS))
    assert fold_of(turns[0].dialogue_id) == fold_of(turns[0].dialogue_id, FOLDS)
