"""In-process generation with transformers: the CPU path, and the reference for any server.

Two things keep the time to the first words short on a CPU: the weights load in the dtype the
folder was saved in (the reply generator is exported in bfloat16: half the bytes to read per
token, twice the prefill speed on a CPU with native bf16), and the system turn of the prompt,
the same in every call, is encoded once and its key/value cache reused.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from pathlib import Path

from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable


class TransformersModel(LanguageModel):
    """A causal LM loaded from a local folder. Not thread-safe: one generation at a time."""

    def __init__(
        self, model_path: Path, repetition_penalty: float = 1.15, reuse_prefix: bool = True
    ) -> None:
        self.model_path = Path(model_path)
        if not (self.model_path / "config.json").is_file():
            raise FileNotFoundError(f"language model folder has no config.json: {self.model_path}")
        self.name = self.model_path.name
        self.repetition_penalty = repetition_penalty  # small models loop on long prompts without it
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self.reuse_prefix = reuse_prefix  # False: encode the whole prompt every time (benchmarks)
        self._prefix: tuple[list[int], object] | None = None  # (system turn's ids, its KV cache)

    def _load(self) -> None:
        if self._model is not None:
            return
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from retrieval._threads import use_all_cores

        use_all_cores()
        self._tokenizer = AutoTokenizer.from_pretrained(self.model_path, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(self.model_path, local_files_only=True)
        self._model = model.to(_dtype(self.model_path)).eval()

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

    def _cached_prefix(self, messages: list[ChatMessage], input_ids) -> dict:
        """The cache argument of `generate` holding the system turn's cache when the prompt starts with it
        (a copy: generation extends the cache it is given); {} otherwise."""
        import torch

        if not self.reuse_prefix or not messages or messages[0].role != "system":
            return {}
        ids = self._tokenizer.apply_chat_template(
            [messages[0].model_dump()], tokenize=True, return_dict=True
        )["input_ids"]
        if len(ids) >= input_ids.shape[1] or input_ids[0, : len(ids)].tolist() != ids:
            return {}
        if self._prefix is None or self._prefix[0] != ids:
            with torch.inference_mode():
                out = self._model(input_ids=torch.tensor([ids]), use_cache=True)
            self._prefix = (ids, out.past_key_values)
        return {_cache_argument(): copy.deepcopy(self._prefix[1])}

    def _generate_kwargs(
        self, inputs, max_tokens: int, stop: list[str] | None, messages: list[ChatMessage]
    ) -> dict:
        return dict(
            **inputs,
            **self._cached_prefix(messages, inputs["input_ids"]),
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
            kwargs = self._generate_kwargs(inputs, max_tokens, stop, messages)
            output = self._model.generate(**kwargs)
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
            kwargs = self._generate_kwargs(inputs, max_tokens, stop, messages) | extra
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


def _cache_argument() -> str:
    """`generate`'s name for a cache to continue from: `cache` in recent transformers, which
    deprecates the older `past_key_values`."""
    try:
        from transformers.generation.utils import ALL_CACHE_NAMES  # noqa: F401
    except ImportError:
        return "past_key_values"
    return "cache"


def _dtype(model_path: Path):
    """The folder's own dtype (config.json), except bfloat16 on a CPU without native bf16
    support, where it would be emulated and slower than float32."""
    import json

    import torch

    saved = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
    name = saved.get("dtype") or saved.get("torch_dtype") or "float32"
    if name == "bfloat16" and not (
        torch.cuda.is_available() or torch.ops.mkldnn._is_mkldnn_bf16_supported()
    ):
        return torch.float32
    return getattr(torch, name, torch.float32)
