"""The intent classifier behind vLLM's `/classify` endpoint (pooling runner), over HTTP.

`vllm serve <intent-head folder> --runner pooling` answers `POST /classify` with
`{"data": [{"index", "label", "probs", "num_classes"}]}`; the probabilities follow the model's
`id2label`, which we read from the same folder, or get from the `label` of the best class.
Network failures, bad or late answers and a server skipped after repeated failures become
`LLMUnavailable` (never with the URL's password), so `HeadIntentModel` falls back to the rules
and the agent still answers.
"""

from __future__ import annotations

import json
from collections.abc import Generator

from agent.llm.base import LLMUnavailable
from agent.llm.breaker import CircuitBreaker
from agent.llm.deadline import within_deadline
from agent.llm.guard import guarded
from agent.llm.redact import redact, split_credentials, url_secrets
from agent.schema import Intent

LABELS = [intent.value for intent in Intent]  # the head's id2label (finetune/intent/labels.py)


class HTTPIntentClassifier:
    """`IntentClassifier` (see agent/intent/head.py) over an OpenAI-style vLLM server.

    Args:
        base_url: the server root or its /v1 URL, e.g. http://127.0.0.1:8001/v1; a
            `user:password@` in it is sent as basic auth and never shown.
        model: the served model name (`--served-model-name`).
        timeout: seconds for connecting and for each read.
        labels: the classes in the order of the served model's `id2label`.
        deadline: seconds for one whole answer; the agent falls back to the rules after it.
        breaker: skips the server after repeated failures; default: 3 failures, 30 s.
    """

    def __init__(
        self,
        base_url: str,
        model: str = "intent",
        timeout: float = 10.0,
        labels: list[str] | None = None,
        deadline: float = 3.0,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        if not base_url:
            raise ValueError("base_url is required (e.g. http://127.0.0.1:8001/v1)")
        self._secrets = url_secrets(base_url)
        bare, self._auth = split_credentials(base_url.rstrip("/").removesuffix("/v1"))
        self._url = bare + "/classify"
        self.url = redact(self._url, self._secrets)  # holds no password: safe to show
        self.model = model
        self.timeout = timeout
        self.labels = labels or LABELS
        self.deadline = deadline
        self.breaker = breaker or CircuitBreaker()

    def classify(self, texts: list[str]) -> list[dict[Intent, float]]:
        """Scores per text, in order.

        Raises:
            LLMUnavailable: the server is down, late, skipped or gave a bad answer.
        """
        self.breaker.check(f"the intent classifier at {self.url}")
        with guarded(
            self.breaker, f"the intent classifier at {self.url}", self.deadline, self._secrets
        ):
            body = b"".join(within_deadline(lambda: self._chunks(texts), self.deadline))
            scores = self._parse(body)
        return scores

    def _chunks(self, texts: list[str]) -> Generator[bytes, None, None]:
        """The answer's body as it arrives. Runs in the deadline's worker thread."""
        import httpx

        with httpx.stream(
            "POST",
            self._url,
            json={"model": self.model, "input": texts},
            auth=self._auth,
            timeout=min(self.timeout, self.deadline),
        ) as response:
            if response.status_code != 200:
                response.read()
                raise LLMUnavailable(
                    f"{self.url} answered {response.status_code}: {response.text[:200]}"
                )
            yield from response.iter_bytes()

    def _parse(self, body: bytes) -> list[dict[Intent, float]]:
        try:
            rows = sorted(json.loads(body)["data"], key=lambda row: row["index"])
            return [self._scores(row["probs"]) for row in rows]
        except (ValueError, KeyError, TypeError) as exc:
            raise LLMUnavailable(
                f"malformed answer from {self.url}: {body[:200].decode(errors='replace')}"
            ) from exc

    def _scores(self, probs: list[float]) -> dict[Intent, float]:
        if len(probs) != len(self.labels):
            raise ValueError(f"{len(probs)} classes, expected {len(self.labels)}")
        return {Intent(label): float(p) for label, p in zip(self.labels, probs)}
