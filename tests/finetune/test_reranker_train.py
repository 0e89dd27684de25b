"""`train-reranker` machinery: a one-step run saves a model the agent's reranker can load."""

from __future__ import annotations

from finetune.reranker_data import Group
from finetune.reranker_train import TrainArgs, train
from retrieval.reranker import CrossEncoderReranker


def test_one_step_saves_a_loadable_cross_encoder(tmp_path, small_items):
    groups = [
        Group("Liked: Alien (1979). scary space movie", ["Aliens (1986) sci-fi", "Titanic (1997)"])
    ]
    report = train(
        groups, TrainArgs(out=tmp_path / "reranker", max_steps=1, max_length=32), progress=False
    )
    assert (tmp_path / "reranker" / "config.json").is_file()
    assert report.steps == 1 and report.seconds > 0
    scores = CrossEncoderReranker(tmp_path / "reranker", max_length=32).score(
        "scary", small_items[:2]
    )
    assert len(scores) == 2
