"""One `train-intent` run: split, train, export, evaluate the head and the baselines.

Evaluated on held-out IARD gold dialogues against the zero-shot and MiniLM + logistic-regression
baselines; optionally compares slot extraction by the generative model with catalog matching.

    nice -n 10 convrec train-intent --db /tmp/a4db --out /tmp/a4db/models/intent-head \
        --report runs/intent/report.json              # full run (see finetune/README.md)
    convrec train-intent --db /tmp/a4db --max-steps 2 --limit 32 --skip-baselines  # smoke
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.schema import Intent
from agent.settings import Settings
from finetune.intent.dataset import IntentExample, split
from finetune.intent.metrics import summary

LABELS = [intent.value for intent in Intent]


@dataclass
class IntentRun:
    gold: Path  # iard_gold.json
    partial: Path  # iard_partial.json
    out: Path  # export folder
    settings: Settings  # data folder: the backbone default and the catalog for slots
    backbone: Path | None = None  # default: SmolLM2-135M-Instruct (converted once)
    test_dialogues: int = 30
    layers: int | None = 20  # of SmolLM2's 30: the middle layers carry the intent (finetune/README)
    epochs: float = 2.0
    batch_size: int = 16
    learning_rate: float = 5e-4
    lora_r: int = 16
    max_steps: int | None = None
    limit: int | None = None  # first N train and test turns (smoke runs)
    train: bool = True  # False: evaluate the model already in `out`
    baselines: bool = True
    slots: int = 0  # held-out turns for the slot comparison; 0 skips it
    slots_llm: int | None = None  # of those, how many the generative model extracts (None: all)
    zero_shot: bool = True  # the slowest baseline (one forward of the full LM per turn)
    progress: bool = True
    on_update: Callable[[dict], None] | None = None  # called with the report after each part


def run(options: IntentRun) -> dict:
    """Returns the report: data sizes, training figures, and per-system evaluation."""
    data = split(options.gold, options.partial, options.test_dialogues)
    train, test = data.train[: options.limit], data.test[: options.limit]
    backbone = options.backbone or _default_backbone(options.settings)
    report: dict = {
        "train_turns": len(train),
        "test_turns": len(test),
        "test_dialogues": data.test_dialogues,
        "backbone": str(backbone),
        "systems": {},
        "seconds": {},
    }
    save = options.on_update or (lambda _: None)
    if options.train:
        report["training"] = _train(options, backbone, train, report)
    report["systems"]["head"] = _evaluate_head(options.out, test, "text", report)
    report["systems"]["head (runtime context)"] = _evaluate_head(
        options.out, test, "runtime_text", report
    )
    save(report)
    if options.baselines:
        _baselines(options, backbone, train, test, report, save)
    if options.slots:
        from finetune.intent.slots import compare_slots

        report["slots"] = compare_slots(
            test, options.settings, backbone, options.slots, options.progress, options.slots_llm
        )
    return report


def _default_backbone(settings: Settings) -> Path:
    from agent.llm.local_model import ensure_default_llm

    return ensure_default_llm(settings.models_dir)


def _train(options: IntentRun, backbone: Path, train: list[IntentExample], report: dict) -> dict:
    from finetune.intent.model import HeadConfig, build_head, config_dict, export, load_tokenizer
    from finetune.intent.trainer import TrainArgs
    from finetune.intent.trainer import train as fit

    config = HeadConfig(lora_r=options.lora_r, lora_alpha=2 * options.lora_r, layers=options.layers)
    tokenizer = load_tokenizer(backbone, config.max_length)
    model = build_head(backbone, config, tokenizer.pad_token_id)
    args = TrainArgs(
        epochs=options.epochs,
        batch_size=options.batch_size,
        learning_rate=options.learning_rate,
        max_steps=options.max_steps,
        progress=options.progress,
    )
    result = fit(model, tokenizer, [e.text for e in train], [e.label.value for e in train], args)
    result |= {"head": config_dict(config), "args": vars(args)}
    export(model, tokenizer, options.out, report={"training": result})
    return result


def _evaluate_head(out: Path, test: list[IntentExample], field: str, report: dict) -> dict:
    from agent.intent.head import LocalIntentClassifier

    started = time.perf_counter()
    classifier = LocalIntentClassifier(out)
    predicted = []
    for start in range(0, len(test), 32):
        scores = classifier.classify([getattr(e, field) for e in test[start : start + 32]])
        predicted += [max(s, key=s.get).value for s in scores]
    report["seconds"][f"head:{field}"] = time.perf_counter() - started
    return summary([e.label.value for e in test], predicted, LABELS)


def _baselines(
    options: IntentRun,
    backbone: Path,
    train: list[IntentExample],
    test: list[IntentExample],
    report: dict,
    save: Callable[[dict], None],
) -> None:
    from finetune.intent.baselines import logistic_regression, zero_shot

    gold = [e.label.value for e in test]
    started = time.perf_counter()
    predicted = logistic_regression(
        [e.text for e in train],
        [e.label.value for e in train],
        [e.text for e in test],
        options.settings.embedding_model,
        options.progress,
    )
    report["seconds"]["logreg-minilm"] = time.perf_counter() - started
    report["systems"]["logreg-minilm"] = summary(gold, predicted, LABELS)
    save(report)
    if not options.zero_shot:
        return
    started = time.perf_counter()
    predicted = zero_shot(backbone, [e.text for e in test], options.progress)
    report["seconds"]["zero-shot"] = time.perf_counter() - started
    report["systems"]["zero-shot"] = summary(gold, predicted, LABELS)


def save_report(path: Path | None, report: dict) -> None:
    """Save the report so far: a long run killed late keeps what it measured."""
    import json

    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2))


def report_table(report: dict) -> str:
    """Per-intent F1 of every evaluated system, side by side."""
    systems = list(report["systems"])
    rows = [f"{'intent':<12}" + "".join(f"{name:>20}" for name in systems)]
    labels = list(next(iter(report["systems"].values()))["per_intent"])
    for label in labels:
        cells = "".join(
            f"{report['systems'][s]['per_intent'][label]['f1']:>20.3f}" for s in systems
        )
        rows.append(f"{label:<12}{cells}")
    for key in ("accuracy", "macro_f1"):
        rows.append(f"{key:<12}" + "".join(f"{report['systems'][s][key]:>20.3f}" for s in systems))
    return "\n".join(rows)
