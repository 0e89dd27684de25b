"""`train-retriever` machinery: a short run saves an encoder the pipeline loads and searches with."""

from __future__ import annotations

import json

from finetune.retriever_train import RetrieverArgs, train_retriever, training_pairs
from retrieval.dialogue_encoder import META_FILE, DialogueEncoder


def test_pairs_come_from_valid_only_and_can_leave_a_fold_out(redial_dir):
    every = training_pairs(redial_dir, None)
    without = training_pairs(redial_dir, 4)
    assert 3000 < len(every) and 0 < len(without) < len(every)
    without_three = training_pairs(redial_dir, {2, 3, 4})
    assert 0 < len(without_three) < len(without)
    assert set(without_three) <= set(without)
    text, target = every[0]
    assert text and target.isdigit()


def test_two_steps_save_a_loadable_encoder(tmp_path, index):
    items = list(index.items().values())[:8]
    pairs = [(f"I loved {it.title}", it.id) for it in items]
    args = RetrieverArgs(
        out=tmp_path / "enc",
        base=index.embedder.model_path,
        batch_size=4,
        max_steps=2,
        max_tokens=32,
    )
    report = train_retriever(pairs, {it.id: it.document() for it in items}, args, progress=False)
    assert report["steps"] == 2 and report["pairs"] == 8
    assert json.loads((tmp_path / "enc" / META_FILE).read_text())["steps"] == 2
    assert not (tmp_path / "enc.partial").exists()
    found = DialogueEncoder(tmp_path / "enc", index).search([f"I loved {items[0].title}"], 5)
    assert len(found) == 5


def test_the_command_trains_and_embeds_the_catalog_where_the_agent_looks(db, capsys):
    from agent import Settings, build_agent
    from convrec.cli import main
    from retrieval.dialogue_encoder import VECTORS_FILE

    assert main(["train-retriever", "--db", str(db), "--max-steps", "1", "--quiet"]) == 0
    assert "1 steps" in capsys.readouterr().out
    assert (db / "models" / "dialogue-encoder" / VECTORS_FILE).is_file()
    agent = build_agent(Settings(db=db, llm="none"))
    assert agent.pipeline.context.dialogue_encoder is not None
    assert agent.reply("s", "I loved Alien and The Terminator").action == "recommend"
