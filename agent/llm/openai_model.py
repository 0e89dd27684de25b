"""Any OpenAI-compatible chat server: `vllm serve`, llama.cpp's server, a hosted API.

Only the standard `/v1/chat/completions` endpoint with server-sent-event streaming is used, so
the same client talks to every such server. Network failures, a reply that takes longer than
the deadline and a server skipped after repeated failures all become `LLMUnavailable`, whose
message never holds the URL's password or the API key.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from contextlib import closing

from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable
from agent.llm.breaker import CircuitBreaker
from agent.llm.deadline import within_deadline
from agent.llm.guard import guarded
from agent.llm.redact import redact, split_credentials, url_secrets


class OpenAICompatibleModel(LanguageModel):
    """A chat model behind an OpenAI-compatible server.

    Args:
        base_url: the server's /v1 URL; a `user:password@` in it is sent as basic auth and
            never shown.
        model: the name the server serves the model under.
        api_key: sent as a bearer token.
        timeout: seconds for connecting and for each read.
        deadline: seconds for one whole reply, from connecting to the last piece.
        breaker: skips the server after repeated failures; default: 3 failures, 30 s.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 30.0,
        deadline: float = 8.0,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        if not base_url:
            raise ValueError("base_url is required (e.g. http://127.0.0.1:8000/v1)")
        if not model:
            raise ValueError("model is required: the name the server serves the model under")
        self._secrets = [api_key, *url_secrets(base_url)]
        bare, self._auth = split_credentials(base_url.rstrip("/"))
        self.base_url = redact(bare, self._secrets)  # holds no password: safe to show
        self.name = model
        self.api_key = api_key
        self.timeout = timeout
        self.deadline = deadline
        self.breaker = breaker or CircuitBreaker()
        self._url = f"{bare}/chat/completions"
        self._shown_url = f"{self.base_url}/chat/completions"

    def stream(
        self, messages: list[ChatMessage], max_tokens: int = 64, stop: list[str] | None = None
    ) -> Iterator[str]:
        return self._stream(_payload(self.name, messages, max_tokens, stop))

    def resample(
        self,
        messages: list[ChatMessage],
        max_tokens: int = 64,
        stop: list[str] | None = None,
        seed: int = 0,
    ) -> Iterator[str]:
        payload = _payload(self.name, messages, max_tokens, stop)
        payload |= {"temperature": 0.8, "top_p": 0.9, "seed": seed}
        return self._stream(payload)

    def _stream(self, payload: dict) -> Iterator[str]:
        self.breaker.check(f"the language model at {self._shown_url}")
        with (
            guarded(
                self.breaker,
                f"the language model at {self._shown_url}",
                self.deadline,
                self._secrets,
            ),
            closing(within_deadline(lambda: self._lines(payload), self.deadline)) as lines,
        ):
            yield from _deltas(lines)

    def _lines(self, payload: dict) -> Generator[str, None, None]:
        """The raw lines of the answer (keep-alives included: the deadline is checked between
        lines). Runs in the deadline's worker thread."""
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        timeout = httpx.Timeout(min(self.timeout, self.deadline))
        with httpx.stream(
            "POST", self._url, json=payload, headers=headers, auth=self._auth, timeout=timeout
        ) as response:
            if response.status_code != 200:
                response.read()
                raise LLMUnavailable(
                    f"{self._shown_url} answered {response.status_code}: "
                    f"{self._redact(response.text[:200])}"
                )
            yield from response.iter_lines()

    def _redact(self, text: str) -> str:
        return redact(text, self._secrets)


def _payload(
    model: str, messages: list[ChatMessage], max_tokens: int, stop: list[str] | None
) -> dict:
    payload = {
        "model": model,
        "messages": [m.model_dump() for m in messages],
        "max_tokens": max_tokens,
        "temperature": 0.0,
        "stream": True,
    }
    if stop:
        payload["stop"] = stop
    if messages and messages[-1].role == "assistant":
        # A reply begun (sentences already shown): vLLM's extension to continue it.
        payload |= {"continue_final_message": True, "add_generation_prompt": False}
    return payload


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
