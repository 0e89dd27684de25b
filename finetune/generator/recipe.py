"""The measured training recipes of the reply generator, one per kind of device.

A 2-core CPU affords one epoch through the top 8 layers (43 min); a GPU affords LoRA on every
layer for two epochs (5.4 min on an H100), which fits the human replies better: held-out reply
loss 1.83 against 1.88 (398 turns of 5 % of the dialogues, kept out of the GPU run; the CPU
recipe had seen them). `convrec train-generator` takes the recipe of the device it trains on;
each flag given by hand overrides its part.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    lora_r: int  # 0: the weights themselves are trained
    train_layers: int  # top decoder layers trained (0: all)
    epochs: float
    batch_size: int
    learning_rate: float


CPU = Recipe(lora_r=0, train_layers=8, epochs=1.0, batch_size=8, learning_rate=1e-4)
# On an H100 a step took 0.36 s at batch 16 and 0.33 s at batch 32 (overhead-bound, not the
# matrix products); four epochs at batch 32 (lr 3e-4) fitted held-out turns worse (1.85).
GPU = Recipe(lora_r=64, train_layers=0, epochs=2.0, batch_size=16, learning_rate=2e-4)


def recipe_for(device: str) -> Recipe:
    """The recipe for a resolved device name ("cpu", "cuda", "cuda:1")."""
    return GPU if device.startswith("cuda") else CPU
