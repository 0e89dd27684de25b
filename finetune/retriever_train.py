"""Fine-tune the dialogue encoder (retrieval/dialogue_encoder.py) on the ReDial valid split.

    convrec train-retriever --db /tmp/a3db --exclude-fold 4   # encoder without valid fold 4
    convrec train-retriever --db /tmp/a3db                    # final encoder on all of valid
    convrec train-retriever --db /tmp/a3db --max-steps 2      # smoke test

Pairs: (recent dialogue before a recommender turn, an item that turn recommended and nobody had
mentioned yet). Loss: in-batch softmax over the batch's items (multiple-negatives ranking), the
standard recipe for a bi-encoder; two turns recommending the same item are not each other's
negatives. Starts from the index's MiniLM, so it runs on a CPU in minutes. Never sees test.
`exclude_fold` holds one valid fold out, so the ranker's weight for this signal can be tuned on
dialogues the encoder never saw (finetune/ranker_train.py).
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from corpora.folds import FOLDS, fold_of
from corpora.iard_redial import extra_rec_turns
from corpora.redial import instances, load_turns
from retrieval.dialogue_encoder import META_FILE, dialogue_text


@dataclass
class RetrieverArgs:
    out: Path
    base: Path  # the sentence-transformers folder to start from (the index's embedder)
    epochs: float = 2.0
    batch_size: int = 32
    learning_rate: float = 3e-5
    max_tokens: int = 128
    max_steps: int | None = None  # smoke switch
    exclude_fold: int | None = None  # valid fold left out (see module docstring)
    seed: int = 0


def training_pairs(
    redial_dir: Path, exclude_fold: int | Iterable[int] | None
) -> list[tuple[str, str]]:
    """(dialogue text, target item id) for every dedup instance of the valid split and of IARD's
    ReDial train dialogues (`corpora/iard_redial.py`), without the dialogues of the excluded
    fold(s) (several: the cross-fitted encoders of `benchmarks/crossfit_ranker.py`)."""
    turns = load_turns(redial_dir, "valid", "dedup") + extra_rec_turns(redial_dir)
    if exclude_fold is not None:
        excluded = {exclude_fold} if isinstance(exclude_fold, int) else set(exclude_fold)
        turns = [t for t in turns if fold_of(t.dialogue_id, FOLDS) not in excluded]
    return [(dialogue_text(t.context), target) for t in turns for target in instances(t, "dedup")]


def train_retriever(
    pairs: list[tuple[str, str]],
    documents: dict[str, str],
    args: RetrieverArgs,
    progress: bool = True,
) -> dict:
    """Fit and save the encoder to `args.out`. `documents`: item id -> indexed text."""
    import torch
    from sentence_transformers import SentenceTransformer
    from tqdm.auto import tqdm

    from retrieval._threads import use_all_cores

    use_all_cores()
    torch.manual_seed(args.seed)
    model = SentenceTransformer(str(args.base), device="cpu", local_files_only=True)
    model.max_seq_length = args.max_tokens
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=args.learning_rate)
    total = max(1, int(math.ceil(len(pairs) / args.batch_size) * args.epochs))
    if args.max_steps is not None:
        total = min(total, args.max_steps)
    batches = _batches(len(pairs), args.batch_size, args.seed)
    started, loss_value = time.perf_counter(), float("nan")
    model.train()
    bar = tqdm(range(total), desc="train-retriever", disable=not progress)
    for _ in bar:
        index = next(batches)
        targets = [pairs[i][1] for i in index]
        items = list(dict.fromkeys(targets))  # a repeated item is one column, not a negative
        queries = _encode(model, [pairs[i][0] for i in index])
        docs = _encode(model, [documents[i] for i in items])
        labels = torch.tensor([items.index(t) for t in targets])
        loss = torch.nn.functional.cross_entropy(20.0 * queries @ docs.T, labels)
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
        loss_value = loss.item()
        bar.set_postfix(loss=f"{loss_value:.3f}")
    model.eval()
    report = {
        "pairs": len(pairs),
        "steps": total,
        "seconds": round(time.perf_counter() - started, 1),
        "final_loss": round(loss_value, 4),
        "args": {k: str(v) for k, v in asdict(args).items()},
        "exclude_fold": args.exclude_fold,
    }
    _save(model, args.out, report)
    return report


def train_dialogue_encoder(
    settings,
    redial_dir: Path,
    epochs: float = 2.0,
    max_steps: int | None = None,
    exclude_fold: int | None = None,
    progress: bool = True,
) -> dict:
    """Train the encoder into `<db>/models/dialogue-encoder` and embed the catalog beside it.

    Args:
        settings: the agent's settings; the index of `settings.db` gives the items and the base.
        redial_dir: the ReDial folder (valid split; IARD beside it when present).
        epochs: passes over the pairs.
        max_steps: stop after N optimiser steps (smoke test).
        exclude_fold: leave this valid fold out (to tune the ranker's weight on it).

    Returns:
        The training report, with the model folder under "path".
    """
    from agent.build import IndexMissing, build_dialogue_encoder, build_index
    from retrieval.dialogue_encoder import DIR_NAME

    index = build_index(settings)
    if len(index) == 0:
        raise IndexMissing(
            f"no catalog is indexed in {settings.index_location}: run `convrec index` first"
        )
    documents = {i: item.document() for i, item in index.items().items()}
    pairs = [(q, t) for q, t in training_pairs(redial_dir, exclude_fold) if t in documents]
    args = RetrieverArgs(
        out=settings.models_dir / DIR_NAME,
        base=index.embedder.model_path,
        epochs=epochs,
        max_steps=max_steps,
        exclude_fold=exclude_fold,
    )
    report = train_retriever(pairs, documents, args, progress=progress)
    build_dialogue_encoder(settings, index).sync()  # embeds the catalog once, saved beside it
    return {**report, "path": str(args.out)}


def _encode(model, texts: list[str]):
    import torch

    prepare = (
        getattr(model, "preprocess", None) or model.tokenize
    )  # renamed in sentence-transformers 6
    features = prepare(texts)
    return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)


def _batches(n: int, size: int, seed: int):
    """Endless shuffled batches of pair indices."""
    rng = random.Random(seed)
    while True:
        order = rng.sample(range(n), n)
        for start in range(0, n - size + 1 if n >= size else 1, size):
            yield order[start : start + size]


def _save(model, out: Path, report: dict) -> None:
    """Atomically replace `out`: a half-written encoder must never be picked up by the agent."""
    out = Path(out)
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(str(tmp))
    (tmp / META_FILE).write_text(json.dumps(report, indent=2))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
