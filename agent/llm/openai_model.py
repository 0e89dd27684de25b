"""Any OpenAI-compatible chat server: `vllm serve`, llama.cpp's server, a hosted API.

Only the standard `/v1/chat/completions` endpoint with server-sent-event streaming is used, so
the same client talks to every such server. Network failures become `LLMUnavailable`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable


class OpenAICompatibleModel(LanguageModel):
    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, timeout: float = 30.0
    ) -> None:
        if not base_url:
            raise ValueError("base_url is required (e.g. http://127.0.0.1:8000/v1)")
        if not model:
            raise ValueError("model is required: the name the server serves the model under")
        self.base_url = base_url.rstrip("/")
        self.name = model
        self.api_key = api_key
        self.timeout = timeout

    def stream(
        self, messages: list[ChatMessage], max_tokens: int = 64, stop: list[str] | None = None
    ) -> Iterator[str]:
        import httpx

        payload = {
            "model": self.name,
            "messages": [m.model_dump() for m in messages],
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stream": True,
        }
        if stop:
            payload["stop"] = stop
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        url = f"{self.base_url}/chat/completions"
        try:
            with httpx.stream(
                "POST", url, json=payload, headers=headers, timeout=self.timeout
            ) as response:
                if response.status_code != 200:
                    response.read()
                    raise LLMUnavailable(
                        f"{url} answered {response.status_code}: {response.text[:200]}"
                    )
                yield from _deltas(response.iter_lines())
        except httpx.HTTPError as exc:
            raise LLMUnavailable(f"cannot reach the language model at {url}: {exc}") from exc


def _deltas(lines: Iterator[str]) -> Iterator[str]:
    """Text pieces from an SSE stream of chat.completion.chunk events."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return
        try:
            chunk = json.loads(data)
            piece = chunk["choices"][0].get("delta", {}).get("content")
        except (json.JSONDecodeError, KeyError, IndexError) as exc:
            raise LLMUnavailable(f"malformed stream event from the server: {data[:200]}") from exc
        if piece:
            yield piece
