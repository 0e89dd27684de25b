"""The intent head: a causal LM backbone with LoRA adapters and a linear layer over the last
token's final hidden state (`LlamaForSequenceClassification` for SmolLM2), and its export.

The export merges the adapters into the backbone and saves a plain `*ForSequenceClassification`
folder with tokenizer and `id2label`, which transformers' `AutoModelForSequenceClassification`
and vLLM's pooling runner (`--runner pooling`, `/classify`) load without any of our code.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from finetune.intent.labels import ACT_TO_INTENT, ID2LABEL, LABEL2ID, PRIORITY

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class HeadConfig:
    lora_r: int = 16  # adapter rank
    lora_alpha: int = 32  # adapter scale is alpha / r
    lora_dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: list(LORA_TARGETS))
    max_length: int = 96  # tokens; longer inputs lose the start of the agent's context
    layers: int | None = 20  # keep the first N decoder layers (None: all). See README


def load_tokenizer(backbone: Path, max_length: int = 96):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(backbone, local_files_only=True)
    tokenizer.truncation_side = "left"  # keep the user's words, drop old context
    tokenizer.padding_side = "right"
    tokenizer.model_max_length = max_length
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def build_head(backbone: Path, config: HeadConfig, pad_token_id: int):
    """A fresh classifier over `backbone` with LoRA adapters; only adapters and head train."""
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        backbone,
        num_labels=len(ID2LABEL),
        id2label=ID2LABEL,
        label2id=LABEL2ID,
        local_files_only=True,
        **_depth(config),
    )
    model.config.pad_token_id = pad_token_id  # the head reads the last non-pad token
    lora = LoraConfig(
        task_type=TaskType.SEQ_CLS,
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=config.target_modules,
    )
    return get_peft_model(model, lora)  # SEQ_CLS keeps the `score` head trainable


def _depth(config: HeadConfig) -> dict:
    # Only the first `layers` decoder layers are loaded; the saved config says so, so any loader
    # (transformers, vLLM) rebuilds exactly this truncated backbone.
    return {} if config.layers is None else {"num_hidden_layers": config.layers}


def export(peft_model, tokenizer, out: Path, report: dict | None = None) -> Path:
    """Merge adapters, save a standard classification folder atomically, return its path."""
    out = Path(out)
    tmp = out.with_name(out.name + ".partial")
    merged = peft_model.merge_and_unload()
    merged.config.architectures = [type(merged).__name__]
    merged.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    mapping = {
        "act_to_intent": {a: i.value for a, i in ACT_TO_INTENT.items()},
        "priority": [i.value for i in PRIORITY],
    }
    (tmp / "intent_labels.json").write_text(json.dumps(mapping, indent=2))
    if report is not None:
        (tmp / "training_report.json").write_text(json.dumps(report, indent=2))
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.rename(out)
    return out


def config_dict(config: HeadConfig) -> dict:
    return asdict(config)
