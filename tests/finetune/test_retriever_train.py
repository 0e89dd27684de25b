"""`train-retriever` machinery: a short run saves an encoder the pipeline loads and searches with."""

from __future__ import annotations

import json

from finetune.retriever_train import RetrieverArgs, train_retriever, training_pairs
from retrieval.dialogue_encoder import META_FILE, DialogueEncoder


def test_pairs_come_from_valid_only_and_can_leave_a_fold_out():
    from tests.conftest import REDIAL

    every = training_pairs(REDIAL, None)
    without = training_pairs(REDIAL, 4)
    assert 3000 < len(every) and 0 < len(without) < len(every)
    text, target = every[0]
    assert text and target.isdigit()


def test_two_steps_save_a_loadable_encoder(tmp_path, index):
    items = list(index.items().values())[:8]
    pairs = [(f"I loved {it.title}", it.id) for it in items]
    args = RetrieverArgs(out=tmp_path / "enc", base=index.embedder.model_path, batch_size=4,
                         max_steps=2, max_tokens=32)
    report = train_retriever(pairs, {it.id: it.document() for it in items}, args, progress=False)
    assert report["steps"] == 2 and report["pairs"] == 8
    assert json.loads((tmp_path / "enc" / META_FILE).read_text())["steps"] == 2
    assert not (tmp_path / "enc.partial").exists()
    found = DialogueEncoder(tmp_path / "enc", index).search([f"I loved {items[0].title}"], 5)
    assert len(found) == 5
