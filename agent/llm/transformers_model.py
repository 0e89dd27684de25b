"""In-process generation with transformers: the CPU path, and the reference for any server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable


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
        # A last assistant message is a reply begun: continue it rather than start another.
        begun = bool(messages) and messages[-1].role == "assistant"
        return self._tokenizer.apply_chat_template(
            [m.model_dump() for m in messages],
            add_generation_prompt=not begun,
            continue_final_message=begun,
            return_tensors="pt",
            return_dict=True,
        )

    def _generate_kwargs(self, inputs, max_tokens: int, stop: list[str] | None) -> dict:
        return dict(
            **inputs,
            max_new_tokens=max_tokens,
            do_sample=False,  # `resample` overrides
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
        return self._stream(messages, max_tokens, stop, {})

    def resample(
        self,
        messages: list[ChatMessage],
        max_tokens: int = 64,
        stop: list[str] | None = None,
        seed: int = 0,
    ) -> Iterator[str]:
        import torch

        torch.manual_seed(seed)  # reproducible second tries (benchmarks, tests)
        sampling = {"do_sample": True, "temperature": 0.8, "top_p": 0.9}
        return self._stream(messages, max_tokens, stop, sampling)

    def _stream(
        self, messages: list[ChatMessage], max_tokens: int, stop: list[str] | None, extra: dict
    ) -> Iterator[str]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        closed = threading.Event()

        class _Closed(StoppingCriteria):
            """Stops generating when the reader stops reading (a sentence failed its check):
            the CPU goes to the next try instead of to words nobody will see."""

            def __call__(self, input_ids, scores, **kwargs) -> bool:
                return closed.is_set()

        with self._lock:
            inputs = self._inputs(messages)
            streamer = TextIteratorStreamer(
                self._tokenizer, skip_prompt=True, skip_special_tokens=True
            )
            kwargs = self._generate_kwargs(inputs, max_tokens, stop) | extra
            kwargs |= {"streamer": streamer, "stopping_criteria": StoppingCriteriaList([_Closed()])}

            failed: list[BaseException] = []

            def run() -> None:
                try:
                    with torch.inference_mode():
                        self._model.generate(**kwargs)
                except Exception as exc:  # noqa: BLE001 (the reader would wait for ever)
                    failed.append(exc)
                    streamer.end()

            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            ended = False
            try:
                yield from streamer
                ended = True
            finally:
                closed.set()
                while not ended:  # closed early: the worker ends the stream after its step
                    ended = next(streamer, None) is None
                worker.join()
            if failed:
                raise LLMUnavailable(f"generation failed: {failed[0]}") from failed[0]
