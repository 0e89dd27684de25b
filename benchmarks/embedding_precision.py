"""Text encoding in float32 and under bfloat16 autocast, side by side on this CPU.

    .venv/bin/python benchmarks/embedding_precision.py --data ../shared/data --out /tmp/emb-precision.json

Both encoders of a turn (the index's MiniLM and, with --dialogue-encoder, the tuned dialogue
encoder) are timed on real ReDial test texts: one text at a time (a turn's new text; the two
precisions interleaved text by text, so the machine's noise hits both alike) and in batches of
64 item documents (indexing). Reports p50/p95 ms, items/s, and the cosine between the two
precisions' vectors (mean, min): what retrieval would see change.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def texts_of(data: Path, count: int) -> tuple[list[str], list[str], list[str]]:
    """(user utterances, dialogue texts, item documents) from ReDial test and the catalog."""
    from corpora.paths import data_path
    from corpora.redial import read_rec_turns
    from finetune.generator.dataset import load_items
    from retrieval.dialogue_encoder import dialogue_text

    redial = data_path(data, "redial")
    turns = [t for t in read_rec_turns(redial, "test") if t.context][::7][:count]
    items = list(load_items(redial).values())[: 4 * count]
    return (
        [t.context[-1] for t in turns],
        [dialogue_text(t.context) for t in turns],
        [item.document() for item in items],
    )


def compare(model, single: list[str], batch: list[str]) -> dict:
    """One model, both precisions: single texts interleaved, then batches."""
    import numpy as np
    import torch

    precisions = {
        "float32": contextlib.nullcontext,
        "bf16": lambda: torch.autocast("cpu", dtype=torch.bfloat16),
    }

    def encode(name: str, texts: list[str]) -> np.ndarray:
        with precisions[name]():
            return model.encode(texts, batch_size=64, normalize_embeddings=True)

    for name in precisions:  # first calls pay one-off costs
        encode(name, single[:2])
    ms = {name: [] for name in precisions}
    vectors = {name: [] for name in precisions}
    for text in single:
        for name in precisions:
            started = time.perf_counter()
            vectors[name].append(encode(name, [text])[0])
            ms[name].append(1000 * (time.perf_counter() - started))
    cos = np.sum(np.asarray(vectors["float32"]) * np.asarray(vectors["bf16"]), axis=1)
    out: dict = {
        name: {
            "single_ms": {
                "p50": round(statistics.median(v), 2),
                "p95": round(percentile(v, 0.95), 2),
            }
        }
        for name, v in ms.items()
    }
    batched = {}
    for name in precisions:
        started = time.perf_counter()
        batched[name] = encode(name, batch)
        out[name]["batch_items_per_s"] = round(len(batch) / (time.perf_counter() - started), 1)
    batch_cos = np.sum(batched["float32"] * batched["bf16"], axis=1)
    out["single_speedup"] = round(
        out["float32"]["single_ms"]["p50"] / out["bf16"]["single_ms"]["p50"], 2
    )
    out["batch_speedup"] = round(
        out["bf16"]["batch_items_per_s"] / out["float32"]["batch_items_per_s"], 2
    )
    out["cosine"] = {
        "single_mean": round(float(cos.mean()), 6),
        "single_min": round(float(cos.min()), 6),
        "batch_mean": round(float(batch_cos.mean()), 6),
        "batch_min": round(float(batch_cos.min()), 6),
    }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="data folder (default: $CONVREC_DATA)")
    parser.add_argument("--dialogue-encoder", type=Path, help="<db>/models/dialogue-encoder")
    parser.add_argument("--texts", type=int, default=60)
    parser.add_argument("--out", type=Path, default=Path("/tmp/emb-precision.json"))
    args = parser.parse_args()

    from retrieval.cpu_bf16 import native_bf16
    from retrieval.embedder import Embedder

    queries, dialogues, documents = texts_of(args.data, args.texts)
    report: dict = {"native_bf16": native_bf16(), "texts": len(queries)}
    report["index_minilm"] = compare(Embedder().model, queries, documents)
    if args.dialogue_encoder:
        report["dialogue_encoder"] = compare(
            Embedder(args.dialogue_encoder).model, dialogues, documents
        )
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))
    print(f"report: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
