"""The intent head: IARD examples, LoRA training, export and evaluation (`convrec train-intent`)."""
