"""The two baselines `convrec train-intent` reports next to the head, on the same held-out turns.

- Zero-shot prompting of the same generative model: the intent definitions in a system prompt,
  the rendered turn as the user message, and the label whose first token is most probable as
  the answer (scoring the fixed label set is the generous reading of "prompting": free text
  from a 135M model rarely parses).
- Logistic regression on MiniLM sentence embeddings (`retrieval.embedder.Embedder`).
"""

from __future__ import annotations

import copy
from pathlib import Path

from agent.schema import Intent

ZERO_SHOT_PROMPT = (
    "You label the user's last message in a movie recommendation chat with one word:\n"
    "request: asks for movie recommendations\n"
    "preference: says which movies, genres or actors they like or dislike\n"
    "critique: asks for something different from the suggestion (newer, funnier, another genre)\n"
    "reject: turns down the suggested movie\n"
    "seen: has already seen the suggested movie\n"
    "accept: will watch the suggested movie, thanks for it\n"
    "inquire: asks a question about a movie\n"
    "chitchat: greetings and other talk\n"
    "end: says goodbye\n"
    "Answer with the label only."
)


def zero_shot(llm_path: Path, texts: list[str], progress: bool = True) -> list[str]:
    """The most probable label for each rendered turn, from the generative model at `llm_path`."""
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(llm_path, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(llm_path, local_files_only=True).eval()
    labels = [intent.value for intent in Intent]
    first = [tokenizer(label, add_special_tokens=False).input_ids[0] for label in labels]
    prefix = _prefix_ids(tokenizer)
    predicted = []
    with torch.inference_mode():
        cache = model(input_ids=prefix, use_cache=True).past_key_values  # shared system prompt
        for text in tqdm(texts, desc="zero-shot", disable=not progress):
            ids = _chat_ids(tokenizer, text)[:, prefix.shape[1] :]
            out = model(input_ids=ids, past_key_values=copy.deepcopy(cache), use_cache=True)
            scores = out.logits[0, -1, first]
            predicted.append(labels[int(scores.argmax())])
    return predicted


def _chat_ids(tokenizer, text: str):
    messages = [{"role": "system", "content": ZERO_SHOT_PROMPT}, {"role": "user", "content": text}]
    return tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )["input_ids"]


def _prefix_ids(tokenizer):
    """The token prefix every prompt shares (system prompt and the user header)."""
    a, b = _chat_ids(tokenizer, "a b c"), _chat_ids(tokenizer, "x y z")
    n = 0
    while n < min(a.shape[1], b.shape[1]) and a[0, n] == b[0, n]:
        n += 1
    return a[:, :n]


def logistic_regression(
    train_texts: list[str],
    train_labels: list[str],
    test_texts: list[str],
    embedding_model: Path | None = None,
    progress: bool = True,
) -> list[str]:
    """Fit a class-balanced logistic regression on MiniLM embeddings; predict `test_texts`."""
    from sklearn.linear_model import LogisticRegression

    from retrieval.embedder import Embedder

    embedder = Embedder(embedding_model)
    classifier = LogisticRegression(max_iter=2000, class_weight="balanced", C=4.0)
    classifier.fit(embedder.embed(train_texts, progress=progress), train_labels)
    return list(classifier.predict(embedder.embed(test_texts, progress=progress)))
