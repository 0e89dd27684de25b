"""Structured output from a language model: parse against a pydantic schema, retry once with
the validation error as feedback, and report failure instead of crashing."""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from agent.llm.base import ChatMessage, LanguageModel

T = TypeVar("T", bound=BaseModel)
_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class StructuredOutputError(ValueError):
    """The model did not produce valid output after its retries; `attempts` has what it said."""

    def __init__(self, message: str, attempts: list[str]) -> None:
        super().__init__(message)
        self.attempts = attempts


def parse_json(text: str, schema: type[T]) -> T:
    """The first JSON object in `text`, validated; raises ValueError or ValidationError."""
    match = _OBJECT.search(text)
    if not match:
        raise ValueError("no JSON object in the answer")
    return schema.model_validate(json.loads(match.group(0)))


def generate_structured(
    llm: LanguageModel,
    messages: list[ChatMessage],
    schema: type[T],
    retries: int = 1,
    max_tokens: int = 160,
) -> T:
    attempts: list[str] = []
    conversation = list(messages)
    for _ in range(retries + 1):
        text = llm.generate(conversation, max_tokens=max_tokens)
        attempts.append(text)
        try:
            return parse_json(text, schema)
        except (ValueError, ValidationError) as exc:
            error = (
                str(exc).splitlines()[0] if not isinstance(exc, ValidationError) else _short(exc)
            )
            conversation += [
                ChatMessage(role="assistant", content=text),
                ChatMessage(
                    role="user",
                    content=f"That was not valid ({error}). "
                    "Answer again with only the JSON object.",
                ),
            ]
    raise StructuredOutputError(f"no valid {schema.__name__} after {retries + 1} tries", attempts)


def _short(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"{'.'.join(map(str, first['loc'])) or 'value'}: {first['msg']}"
