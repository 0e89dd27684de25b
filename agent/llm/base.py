"""The language-model seam: one abstract method, `stream`; `generate` joins it.

A list of messages that ends with an assistant message asks the model to continue that message
(the writer sends the sentences already shown that way). `resample` asks for a different reply
than the greedy one: the writer's second try at a sentence that failed its check."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "user", "assistant"]
    content: str


class LLMUnavailable(RuntimeError):
    """The model could not answer (server down, timeout); the agent carries on without text."""


class LanguageModel(ABC):
    """A chat model. Implementations: in-process transformers, an OpenAI-compatible server
    (vLLM), and a scripted double for unit tests."""

    name: str = "language-model"

    @abstractmethod
    def stream(
        self, messages: list[ChatMessage], max_tokens: int = 64, stop: list[str] | None = None
    ) -> Iterator[str]:
        """Yield the reply in pieces as they are produced (greedy decoding)."""

    def generate(
        self, messages: list[ChatMessage], max_tokens: int = 64, stop: list[str] | None = None
    ) -> str:
        return "".join(self.stream(messages, max_tokens=max_tokens, stop=stop))

    def resample(
        self,
        messages: list[ChatMessage],
        max_tokens: int = 64,
        stop: list[str] | None = None,
        seed: int = 0,
    ) -> Iterator[str]:
        """Like `stream`, but sampled (temperature, nucleus). A model that cannot sample gives
        its `stream` (the scripted double: its next preset reply)."""
        return self.stream(messages, max_tokens=max_tokens, stop=stop)
