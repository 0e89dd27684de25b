"""One training run of the reply generator: examples, backbone, training, export.

The export is a plain transformers folder (LoRA adapters, when used, are merged into the
weights), so the writer loads it in-process and `convrec serve-llm` serves it with vLLM. It is
saved in bfloat16: training ran in float32, but serving reads every weight once per token, and
half the bytes make the first sentence about 1.5x sooner on a CPU with native bf16 (a CPU
without it upcasts on load, `agent/llm/transformers_model.py`).
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from finetune.generator.dataset import training_examples
from finetune.generator.trainer import TrainArgs, encode, train

log = logging.getLogger(__name__)

REPORT_FILE = "training.json"  # saved inside the model folder: what the model was trained on


@dataclass
class GeneratorRun:
    redial_dir: Path  # the ReDial folder; IARD is read from iard/ beside it
    out: Path  # the model folder written (<db>/models/generator)
    models_dir: Path  # where the default backbone is converted once
    backbone: Path | None = None  # a causal LM folder; default SmolLM2-135M-Instruct
    lora_r: int = 0  # 0: full fine-tune; else LoRA rank (merged into the export)
    iard: bool = True  # also learn from IARD's non-test dialogues
    limit: int | None = None  # a random subset of N examples (smoke runs)
    train: TrainArgs = field(default_factory=TrainArgs)


def load_backbone(path: Path, lora_r: int):
    """Tokenizer and model, the model wrapped in LoRA adapters when `lora_r` > 0."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from retrieval._threads import use_all_cores

    use_all_cores()
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    # float32 master weights even from a bfloat16 folder (a continued run from an export):
    # AdamW's small updates vanish in bfloat16.
    model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype="float32")
    if lora_r:
        try:
            from peft import LoraConfig, get_peft_model
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError("LoRA needs peft: pip install 'convrec[finetune]'") from exc
        config = LoraConfig(
            r=lora_r,
            lora_alpha=2 * lora_r,
            lora_dropout=0.05,
            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"],
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, config)
    return tokenizer, model


EXPORT_DTYPE = "bfloat16"


def save(model, tokenizer, out: Path) -> None:
    """Write the folder atomically (an interrupted export never looks finished), in
    EXPORT_DTYPE. The model passed in is converted in place: call this last."""
    import shutil

    import torch

    out = Path(out)
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    model = model.to(getattr(torch, EXPORT_DTYPE))
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)


def run(options: GeneratorRun) -> dict:
    """Train and export. Returns the report (also saved as `<out>/training.json`)."""
    from agent.llm.local_model import ensure_default_llm

    examples = training_examples(options.redial_dir, iard=options.iard)
    if options.limit:
        examples = random.Random(0).sample(examples, min(options.limit, len(examples)))
    backbone = options.backbone or ensure_default_llm(options.models_dir)
    tokenizer, model = load_backbone(backbone, options.lora_r)
    encoded = [encode(tokenizer, e, options.train.max_length) for e in examples]
    kept = [e for e in encoded if e is not None]
    log.info("%d examples, %d too long", len(examples), len(examples) - len(kept))
    stats = train(model, tokenizer, kept, options.train)
    save(model, tokenizer, options.out)
    report = {
        "backbone": str(backbone),
        "out": str(options.out),
        "method": f"lora r={options.lora_r} (merged)" if options.lora_r else "full fine-tune",
        "examples": len(kept),
        "skipped_too_long": len(examples) - len(kept),
        "by_source": dict(Counter(e.source for e in examples)),
        "by_act": dict(Counter(e.inp.act for e in examples)),
        "batch_size": options.train.batch_size,
        "learning_rate": options.train.learning_rate,
        "max_length": options.train.max_length,
        "seed": options.train.seed,
        "bf16_autocast": options.train.bf16,
        "train_layers": options.train.train_layers,
        "epochs": options.train.epochs,
        **stats,
    }
    (Path(options.out) / REPORT_FILE).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report
