"""In-process generation with transformers: the CPU path, and the reference for any server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from agent.llm.base import ChatMessage, LanguageModel


class TransformersModel(LanguageModel):
    """A causal LM loaded from a local folder. Not thread-safe: one generation at a time."""

    def __init__(self, model_path: Path, repetition_penalty: float = 1.15) -> None:
        self.model_path = Path(model_path)
        if not (self.model_path / "config.json").is_file():
            raise FileNotFoundError(f"language model folder has no config.json: {self.model_path}")
        self.name = self.model_path.name
        self.repetition_penalty = repetition_penalty  # small models loop on long prompts without it
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        if self._model is not None:
            return
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from retrieval._threads import use_all_cores

        use_all_cores()
        self._tokenizer = AutoTokenizer.from_pretrained(self.model_path, local_files_only=True)
        self._model = AutoModelForCausalLM.from_pretrained(self.model_path, local_files_only=True)
        self._model.eval()

    def _inputs(self, messages: list[ChatMessage]):
        self._load()
        return self._tokenizer.apply_chat_template(
            [m.model_dump() for m in messages],
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        )

    def _generate_kwargs(self, inputs, max_tokens: int, stop: list[str] | None) -> dict:
        return dict(
            **inputs,
            max_new_tokens=max_tokens,
            do_sample=False,
            repetition_penalty=self.repetition_penalty,
            stop_strings=stop or None,
            tokenizer=self._tokenizer,
            pad_token_id=self._tokenizer.eos_token_id,
        )

    def generate(
        self, messages: list[ChatMessage], max_tokens: int = 64, stop: list[str] | None = None
    ) -> str:
        import torch

        with self._lock, torch.inference_mode():
            inputs = self._inputs(messages)
            output = self._model.generate(**self._generate_kwargs(inputs, max_tokens, stop))
        prompt_length = inputs["input_ids"].shape[1]
        return self._tokenizer.decode(output[0, prompt_length:], skip_special_tokens=True)

    def stream(
        self, messages: list[ChatMessage], max_tokens: int = 64, stop: list[str] | None = None
    ) -> Iterator[str]:
        import torch
        from transformers import TextIteratorStreamer

        with self._lock:
            inputs = self._inputs(messages)
            streamer = TextIteratorStreamer(
                self._tokenizer, skip_prompt=True, skip_special_tokens=True
            )
            kwargs = self._generate_kwargs(inputs, max_tokens, stop) | {"streamer": streamer}

            def run() -> None:
                with torch.inference_mode():
                    self._model.generate(**kwargs)

            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            yield from streamer
            worker.join()
