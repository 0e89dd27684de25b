"""Training loop for the reply generator: causal-LM loss on the reply tokens only (the prompt is
context, not something to imitate), AdamW with warm-up and linear decay, length-bucketed
batches (padding is most of the cost on a CPU)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from agent.generation_prompt import REPLY_TOKENS, messages
from finetune.batches import length_grouped_batches
from finetune.generator.dataset import Example

IGNORE = -100  # label of the prompt tokens: no loss there


@dataclass
class TrainArgs:
    max_length: int = 320  # prompt + reply tokens; longer examples (about 2%) are skipped
    batch_size: int = 8
    learning_rate: float = 1e-4  # one epoch at 1e-4 from the base model: see the README
    warmup_ratio: float = 0.05
    epochs: float = 1.0  # passes over the examples (a cap; max_steps usually ends it first)
    max_steps: int | None = None  # stop after this many optimiser steps (the smoke switch)
    time_limit: float | None = None  # minutes; training stops (and saves) when it is spent
    train_layers: int = 8  # top decoder layers trained (0: all); backward stops below them
    seed: int = 0  # data order; a continued run takes another seed to see other examples first
    bf16: bool = False  # bfloat16 autocast (weights and optimiser stay float32)
    device: str = "auto"  # "cuda" when a GPU is visible, else "cpu"; or name one
    progress: bool = True


@dataclass
class Encoded:
    input_ids: list[int]
    labels: list[int]  # IGNORE on the prompt, the token ids on the reply and its end marker


def prompt_ids(tokenizer, example_inp) -> list[int]:
    """The prompt as the runtime sends it (chat template, generation prompt appended)."""
    chat = [m.model_dump() for m in messages(example_inp)]
    text = tokenizer.apply_chat_template(chat, add_generation_prompt=True, tokenize=False)
    return tokenizer(text, add_special_tokens=False).input_ids


def encode(tokenizer, example: Example, max_length: int) -> Encoded | None:
    """Prompt and reply as one sequence; None when it does not fit in `max_length`."""
    prompt = prompt_ids(tokenizer, example.inp)
    reply = tokenizer(example.reply, add_special_tokens=False).input_ids[:REPLY_TOKENS]
    reply = reply + [tokenizer.eos_token_id]  # the model learns to stop after its reply
    if len(prompt) + len(reply) > max_length:
        return None
    return Encoded(prompt + reply, [IGNORE] * len(prompt) + reply)


def collate(batch: list[Encoded], pad_id: int):
    """Right-padded tensors: input_ids, attention_mask, labels."""
    import torch

    width = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, e in enumerate(batch):
        n = len(e.input_ids)
        ids[row, :n] = torch.tensor(e.input_ids)
        labels[row, :n] = torch.tensor(e.labels)
        mask[row, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def train(model, tokenizer, encoded: list[Encoded], args: TrainArgs) -> dict:
    """Fit `model` in place. Returns {"steps", "seconds", "seconds_per_step", "first_loss",
    "last_loss" (mean of the last 20 steps)}."""
    import torch
    from tqdm.auto import tqdm

    if not encoded:
        raise ValueError("no training examples fit in max_length")
    torch.manual_seed(args.seed)
    device = torch.device(resolve_device(args.device))
    model.to(device)
    freeze_below(model, args.train_layers)
    total = max(1, int(math.ceil(len(encoded) / args.batch_size) * args.epochs))
    total = min(total, args.max_steps) if args.max_steps is not None else total
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=args.learning_rate, weight_decay=0.0)
    warmup = max(1, int(total * args.warmup_ratio))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup + 1)))
    )
    batches = length_grouped_batches(
        [len(e.input_ids) for e in encoded], args.batch_size, args.seed, pool=16
    )
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    model.train()
    started, losses = time.perf_counter(), []
    bar = tqdm(range(total), desc="train-generator", disable=not args.progress)
    for step in bar:
        if args.time_limit and time.perf_counter() - started > 60 * args.time_limit:
            total = step  # a shared CPU can be slower than measured: keep what was learnt
            break
        batch = collate([encoded[i] for i in next(batches)], pad_id)
        batch = {key: value.to(device) for key, value in batch.items()}
        # On a CPU with bfloat16 units the matmuls run ~1.6x faster under autocast (measured
        # on this 2-core VM, 8 x 220 tokens); the master weights stay float32.
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.bf16):
            loss = reply_loss(model, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        losses.append(loss.detach().item())
        bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
    model.eval()
    model.to("cpu")  # the export and the writer work on CPU tensors
    seconds = time.perf_counter() - started
    return {
        "device": device.type,
        "steps": total,
        "seconds": round(seconds, 1),
        "seconds_per_step": round(seconds / total, 2),
        "first_loss": round(losses[0], 4),
        "last_loss": round(sum(losses[-20:]) / len(losses[-20:]), 4),
    }


def resolve_device(name: str) -> str:
    """`auto` is the GPU when torch sees one: training then takes minutes, not the
    43 CPU minutes. A named device that is not there fails here, before any work."""
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"--device {name}: torch sees no CUDA GPU here (use cpu or auto)")
    return name


def default_bf16(device: str) -> bool:
    """bfloat16 autocast where it is native: a GPU that supports it, a CPU with AVX512-BF16 or
    AMX (emulated bfloat16 is slower than float32)."""
    import torch

    from retrieval.cpu_bf16 import native_bf16

    if resolve_device(device).startswith("cuda"):
        return torch.cuda.is_bf16_supported()
    return native_bf16()


def freeze_below(model, train_layers: int) -> None:
    """Train only the top `train_layers` decoder layers and the final norm. On a CPU this is
    what makes training affordable: backward never runs through the frozen lower layers, and
    the tied embedding / LM head (a fifth of the weights) stays as the base model has it.
    A LoRA model keeps its base weights frozen: only its adapters in those layers train."""
    if not train_layers:
        return
    trainable = {id(p) for p in model.parameters() if p.requires_grad}  # LoRA: the adapters
    lora = len(trainable) < sum(1 for _ in model.parameters())
    layers = model.get_decoder().layers
    for param in model.parameters():
        param.requires_grad = False
    top = [p for layer in layers[-train_layers:] for p in layer.parameters()]
    if not lora:
        top += list(model.get_decoder().norm.parameters())
    for param in top:
        param.requires_grad = id(param) in trainable


def reply_loss(model, batch: dict):
    """Mean next-token cross-entropy over the reply tokens. The LM head (49k words) is applied
    at those positions only: at every position it would cost a fifth of the forward pass."""
    import torch

    hidden = model.get_decoder()(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state  # (B, T, d)
    targets = batch["labels"][:, 1:]  # (B, T-1): position t predicts token t+1
    keep = targets != IGNORE
    logits = model.get_output_embeddings()(hidden[:, :-1][keep])  # (N, vocab)
    return torch.nn.functional.cross_entropy(logits.float(), targets[keep])
