"""A tiny random Llama with a word-level tokenizer: stands in for SmolLM2 in fast tests."""

from __future__ import annotations

import re
from pathlib import Path

WORDS = [
    *[
        "hi",
        "can",
        "you",
        "help",
        "me",
        "find",
        "a",
        "movie",
        "i",
        "loved",
        "alien",
        "seen",
        "it",
        "thanks",
        "bye",
        "not",
        "that",
        "one",
    ],
    *[
        "what",
        "is",
        "the",
        "first",
        "about",
        "more",
        "like",
        "second",
        "agent",
        "user",
        "here",
        "are",
        "some",
    ],
    *[
        "movies",
        "you",
        "might",
        "like",
        "what",
        "kind",
        "of",
        "do",
        "enjoy",
        "?",
        ",",
        ".",
        ":",
        "!",
    ],
]


def make_tiny_lm(path: Path) -> Path:
    """Save a 2-layer, 32-wide LlamaForCausalLM and its tokenizer at `path`."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for word in WORDS:
        vocab.setdefault(re.sub(r"\W", "", word) or word, len(vocab))
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="</s>",
    )
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=256,
        pad_token_id=2,
        bos_token_id=1,
        eos_token_id=2,
    )
    LlamaForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
