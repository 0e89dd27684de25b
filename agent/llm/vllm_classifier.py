"""The intent classifier behind vLLM's `/classify` endpoint (pooling runner), over HTTP.

`vllm serve <intent-head folder> --runner pooling` answers `POST /classify` with
`{"data": [{"index", "label", "probs", "num_classes"}]}`; the probabilities follow the model's
`id2label`, which we read from the same folder, or get from the `label` of the best class.
Network failures and bad answers become `LLMUnavailable`, so `HeadIntentModel` falls back to
the rules and the agent still answers.
"""

from __future__ import annotations

from agent.llm.base import LLMUnavailable
from agent.schema import Intent

LABELS = [intent.value for intent in Intent]  # the head's id2label (finetune/intent/labels.py)


class HTTPIntentClassifier:
    """`IntentClassifier` (see agent/intent/head.py) over an OpenAI-style vLLM server.

    Args:
        base_url: the server root or its /v1 URL, e.g. http://127.0.0.1:8001/v1.
        model: the served model name (`--served-model-name`).
        timeout: seconds per request; the agent falls back to the rules after it.
    """

    def __init__(self, base_url: str, model: str = "intent", timeout: float = 10.0,
                 labels: list[str] | None = None) -> None:
        if not base_url:
            raise ValueError("base_url is required (e.g. http://127.0.0.1:8001/v1)")
        self.url = base_url.rstrip("/").removesuffix("/v1") + "/classify"
        self.model = model
        self.timeout = timeout
        self.labels = labels or LABELS

    def classify(self, texts: list[str]) -> list[dict[Intent, float]]:
        import httpx

        try:
            response = httpx.post(self.url, json={"model": self.model, "input": texts},
                                  timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise LLMUnavailable(f"cannot reach the intent classifier at {self.url}: {exc}") from exc
        if response.status_code != 200:
            raise LLMUnavailable(f"{self.url} answered {response.status_code}: "
                                 f"{response.text[:200]}")
        try:
            rows = sorted(response.json()["data"], key=lambda row: row["index"])
            return [self._scores(row["probs"]) for row in rows]
        except (ValueError, KeyError, TypeError) as exc:
            raise LLMUnavailable(f"malformed answer from {self.url}: {response.text[:200]}") from exc

    def _scores(self, probs: list[float]) -> dict[Intent, float]:
        if len(probs) != len(self.labels):
            raise ValueError(f"{len(probs)} classes, expected {len(self.labels)}")
        return {Intent(label): float(p) for label, p in zip(self.labels, probs)}
