"""Train the BERT cross-encoder reranker from the MiniLM backbone (CPU is enough).

    nice -n 10 convrec train-reranker --db /tmp/a3db --max-steps 400   # --max-steps 2: smoke test

The backbone is the local all-MiniLM-L6-v2 folder (`retrieval.embedder.default_embedding_model`)
with a fresh one-logit head. Loss is listwise: softmax cross-entropy over one positive and its
hard negatives, which matches how the ranker uses the scores (to order a short list).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from finetune.reranker_data import Group


@dataclass
class TrainArgs:
    out: Path  # the saved model folder (`<db>/models/reranker` is picked up by the agent)
    backbone: Path | None = None  # default: the MiniLM folder of the embedder
    max_steps: int = 400  # optimiser steps; a handful is a smoke test
    groups_per_step: int = 4  # each group is 1 positive + its negatives
    learning_rate: float = 3e-5
    max_length: int = 128  # tokens per (profile, item) pair; the reranker reads the same length
    seed: int = 13


@dataclass
class TrainReport:
    steps: int
    groups: int
    seconds: float
    final_loss: float
    path: Path


def train(groups: list[Group], args: TrainArgs, progress: bool = True) -> TrainReport:
    """Fine-tune and save; returns what it did and how long it took."""
    import torch
    from sentence_transformers import CrossEncoder
    from tqdm import tqdm

    from retrieval._threads import use_all_cores
    from retrieval.embedder import default_embedding_model

    if not groups:
        raise ValueError("no training groups: is the ReDial valid split where --data points?")
    use_all_cores()
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    backbone = args.backbone or default_embedding_model()
    model = CrossEncoder(
        str(backbone), num_labels=1, device="cpu", local_files_only=True, max_length=args.max_length
    )
    optimiser = torch.optim.AdamW(model.model.parameters(), lr=args.learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / 20) * max(0.0, 1 - step / args.max_steps)
    )
    model.model.train()
    started, loss_avg = time.perf_counter(), 0.0
    order: list[Group] = []
    for step in tqdm(range(args.max_steps), desc="train-reranker", disable=not progress):
        if len(order) < args.groups_per_step:
            order += rng.sample(groups, len(groups))
        batch, order = order[: args.groups_per_step], order[args.groups_per_step :]
        loss = _listwise_loss(model, batch, args.max_length)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        value = float(loss.detach())
        loss_avg = 0.95 * loss_avg + 0.05 * value if step else value
    model.model.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    model.save(str(args.out))
    return TrainReport(
        args.max_steps, len(groups), time.perf_counter() - started, loss_avg, args.out
    )


def train_reranker(
    settings,
    redial_dir: Path,
    max_steps: int,
    limit: int | None = None,
    out: Path | None = None,
    progress: bool = True,
) -> tuple[TrainReport, float]:
    """Build hard-negative groups with the current pipeline (no reranker), train, save.

    Args:
        settings: the agent's settings; the index and models of `settings.db` are used.
        redial_dir: the ReDial folder (valid split only).
        max_steps: optimiser steps (2: smoke test).
        limit: only the first N training turns.
        out: model folder (default `<db>/models/reranker`, where the agent looks).

    Returns:
        The training report and the seconds spent building the groups.
    """
    from agent.build import build_context, build_pipeline
    from finetune.reranker_data import build_groups

    started = time.perf_counter()
    # negatives come from the stage the reranker will refine
    pipeline = build_pipeline(settings, build_context(settings), reranker=False)
    groups = build_groups(pipeline, redial_dir, limit=limit, progress=progress)
    built = time.perf_counter() - started
    report = train(
        groups,
        TrainArgs(out=out or settings.models_dir / "reranker", max_steps=max_steps),
        progress=progress,
    )
    return report, built


def _listwise_loss(model, batch: list[Group], max_length: int):
    import torch

    profiles = [g.profile for g in batch for _ in g.documents]
    documents = [d for g in batch for d in g.documents]
    encoded = model.tokenizer(
        profiles,
        documents,
        truncation="longest_first",
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )
    logits = model.model(**encoded).logits.squeeze(-1)  # (sum of group sizes,)
    losses, start = [], 0
    for g in batch:
        scores = logits[start : start + len(g.documents)]
        losses.append(
            torch.nn.functional.cross_entropy(scores[None], torch.zeros(1, dtype=torch.long))
        )
        start += len(g.documents)
    return torch.stack(losses).mean()
