"""A scripted language model for unit tests of the agent loop: it replays preset replies."""

from __future__ import annotations

from collections.abc import Iterator

from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable


class ScriptedModel(LanguageModel):
    """Returns `replies` in order and records every prompt it was given. When the script runs
    out it raises `LLMUnavailable`, which the agent must survive like a dead server."""

    name = "scripted"

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.prompts: list[list[ChatMessage]] = []

    def stream(
        self, messages: list[ChatMessage], max_tokens: int = 64, stop: list[str] | None = None
    ) -> Iterator[str]:
        self.prompts.append(messages)
        if not self.replies:
            raise LLMUnavailable("scripted model has no replies left")
        reply = self.replies.pop(0)
        yield from _words(reply)


def _words(text: str) -> Iterator[str]:
    # Pieces keep their spaces so that joining them gives the reply back exactly.
    pieces = text.split(" ")
    for i, piece in enumerate(pieces):
        yield piece if i == len(pieces) - 1 else piece + " "
