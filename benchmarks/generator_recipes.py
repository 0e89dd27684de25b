"""Training recipes of the reply generator side by side: held-out reply loss for each.

5 % of the training dialogues (ReDial valid + IARD non-test, split by dialogue, seed 0) are kept
out; each recipe trains from the base model on the rest with convrec's own trainer
(`finetune/generator/trainer.py`, the device `auto` picks) and is scored by the mean next-token
loss on the held-out human replies (the base model is scored too). Prints and writes JSON;
`--save DIR` also exports each model as `convrec train-generator` does, for
`benchmarks/generation.py --generator DIR/NAME`. This is how `finetune/generator/recipe.py` was
chosen (an H100: lora64_e2 1.832, lora64_e4b32 1.849, base 3.019).

    python benchmarks/generator_recipes.py --db DB --recipes lora64_e2 lora64_e4b32 --save /tmp/r
    python benchmarks/generator_recipes.py --db DB --recipes cpu --limit 200 --max-steps 2  # smoke
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import time
from pathlib import Path

from finetune.generator.recipe import CPU, GPU, Recipe

RECIPES = {
    "cpu": CPU,
    "lora64_e2": GPU,
    "lora64_e4b32": Recipe(
        lora_r=64, train_layers=0, epochs=4.0, batch_size=32, learning_rate=3e-4
    ),
    # every layer's weights (the embedding stays)
    "full30_e2": Recipe(lora_r=0, train_layers=30, epochs=2.0, batch_size=16, learning_rate=5e-5),
}
HELD_OUT = 0.05


def split(encoded_examples: list, seed: int = 0) -> tuple[list, list]:
    """(train, held-out) by dialogue: turns of one dialogue share their context. Examples too
    long to encode (None) count for the draw of dialogues, then are left out."""
    dialogues = sorted({example.dialogue_id for example, _ in encoded_examples})
    held = set(random.Random(seed).sample(dialogues, int(len(dialogues) * HELD_OUT)))
    kept = [(example, enc) for example, enc in encoded_examples if enc is not None]
    train = [enc for example, enc in kept if example.dialogue_id not in held]
    return train, [enc for example, enc in kept if example.dialogue_id in held]


def held_out_loss(model, tokenizer, held: list, device: str) -> float:
    """Mean loss per held-out reply token (bfloat16 autocast where training had it)."""
    import torch

    from finetune.generator.trainer import IGNORE, collate, reply_loss

    model.to(device).eval()
    total, tokens = 0.0, 0
    with torch.no_grad(), torch.autocast(device.split(":")[0], dtype=torch.bfloat16):
        for start in range(0, len(held), 32):
            batch = collate(held[start : start + 32], tokenizer.pad_token_id or 0)
            batch = {key: value.to(device) for key, value in batch.items()}
            n = int((batch["labels"][:, 1:] != IGNORE).sum())
            total += float(reply_loss(model, batch)) * n
            tokens += n
    model.to("cpu")
    return total / tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="data folder (the base model)")
    parser.add_argument("--data", type=Path, help="data folder (default: $CONVREC_DATA)")
    parser.add_argument("--recipes", nargs="+", default=["lora64_e2"], choices=sorted(RECIPES))
    parser.add_argument("--device", default="auto")
    parser.add_argument("--limit", type=int, help="a random subset of N examples (smoke)")
    parser.add_argument("--max-steps", type=int, help="cap each run (smoke)")
    parser.add_argument("--save", type=Path, help="export each model to DIR/NAME")
    parser.add_argument("--out", type=Path, default=Path("/tmp/generator-recipes.json"))
    args = parser.parse_args()

    from agent.llm.local_model import ensure_default_llm
    from agent.settings import Settings
    from corpora.paths import data_path
    from finetune.generator.dataset import training_examples
    from finetune.generator.run import load_backbone, save
    from finetune.generator.trainer import TrainArgs, default_bf16, encode, resolve_device, train

    device = resolve_device(args.device)
    base = ensure_default_llm(Settings.from_env(db=str(args.db)).models_dir)
    examples = training_examples(data_path(args.data, "redial"))
    if args.limit:
        examples = random.Random(0).sample(examples, min(args.limit, len(examples)))
    tokenizer, model = load_backbone(base, 0)
    encoded = [(e, encode(tokenizer, e, 320)) for e in examples]
    train_set, held = split(encoded)
    report = {"device": device, "train": len(train_set), "held_out": len(held), "runs": {}}
    report["base_held_out_loss"] = round(held_out_loss(model, tokenizer, held, device), 4)
    print(f"{len(train_set)} train, {len(held)} held out; base {report['base_held_out_loss']}")
    for name in args.recipes:
        recipe = RECIPES[name]
        tokenizer, model = load_backbone(base, recipe.lora_r)
        options = TrainArgs(
            batch_size=recipe.batch_size,
            learning_rate=recipe.learning_rate,
            epochs=recipe.epochs,
            train_layers=recipe.train_layers,
            max_steps=args.max_steps,
            bf16=default_bf16(device),
            device=device,
        )
        started = time.perf_counter()
        stats = train(model, tokenizer, train_set, options)
        stats["wall_s"] = round(time.perf_counter() - started, 1)
        stats["held_out_loss"] = round(held_out_loss(model, tokenizer, held, device), 4)
        stats["recipe"] = dataclasses.asdict(recipe)
        report["runs"][name] = stats
        print(name, json.dumps(stats))
        if args.save:
            save(model, tokenizer, args.save / name)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
