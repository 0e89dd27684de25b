"""Requests and responses of the HTTP API. Turns, states and items are the agent's own models:
what a Python caller of `Agent.reply` gets is what an HTTP client gets."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.schema import DialogueState, Event, Reaction, Turn


class MessageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=2000,
        # Some character that is neither white space nor a control character: the agent drops
        # those, and a message left empty is refused.
        pattern=r"[^\s\x00-\x08\x0b-\x1f\x7f-\x9f]",
        description="What the user wrote (at most 2,000 characters).",
    )
    stream: bool = Field(
        default=False,
        description="true: answer as server-sent events (`items` first, then `reply` pieces as "
        "each sentence passes its check, then `turn`); false: one JSON turn.",
    )


# Session ids travel in URLs and logs: letters, digits and a few URL-safe marks.
SESSION_ID_PATTERN = r"^[A-Za-z0-9._~:@+=-]{1,200}$"


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: str = Field(description="The id of a recommended item.")
    reaction: Reaction


class Exchange(BaseModel):
    """One step of a session: what the user did and the agent's turn."""

    event: Event
    turn: Turn


class SessionView(BaseModel):
    session_id: str
    state: DialogueState
    history: list[Exchange]


class Problem(BaseModel):
    """Every error answer: what went wrong, in words a client can show."""

    detail: str


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(
        default_factory=dict, description="Each dependency: 'ok' or what is wrong with it."
    )
