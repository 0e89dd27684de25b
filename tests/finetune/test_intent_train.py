"""`convrec train-intent` end to end on a tiny random backbone: the smoke run a user would do."""

from __future__ import annotations

import json

from convrec.cli import main
from tests.finetune._tiny_lm import make_tiny_lm
from tests.finetune.test_intent_labels import _dialogue


def test_train_intent_smoke_exports_a_standard_classifier(tmp_path, capsys):
    backbone = make_tiny_lm(tmp_path / "tiny")
    gold, partial = tmp_path / "gold.json", tmp_path / "partial.json"
    gold.write_text(
        json.dumps([_dialogue(str(i), ["SEE"] if i % 2 else ["ACC"]) for i in range(6)])
    )
    partial.write_text(json.dumps([_dialogue("p", ["REJ"])]))
    out, report = tmp_path / "db" / "models" / "intent-head", tmp_path / "report.json"
    code = main(
        [
            "train-intent",
            "--db",
            str(tmp_path / "db"),
            "--backbone",
            str(backbone),
            "--gold",
            str(gold),
            "--partial",
            str(partial),
            "--test-dialogues",
            "2",
            "--max-steps",
            "2",
            "--batch-size",
            "2",
            "--layers",
            "0",
            "--skip-baselines",
            "--report",
            str(report),
            "--quiet",
        ]
    )
    assert code == 0
    assert "macro_f1" in capsys.readouterr().out

    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(out, local_files_only=True)
    assert type(model).__name__ == "LlamaForSequenceClassification"
    assert list(model.config.id2label.values())[:2] == ["request", "preference"]
    assert not (out / "adapter_config.json").exists()  # adapters merged: no peft needed
    assert (out / "tokenizer.json").is_file() and (out / "intent_labels.json").is_file()
    result = json.loads(report.read_text())
    assert result["training"]["steps"] == 2 and result["test_turns"] == 2
    assert set(result["systems"]["head"]["per_intent"]) >= {"seen", "accept", "end"}
