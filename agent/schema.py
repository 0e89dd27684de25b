"""Value types of the conversation: what the user did, what the agent knows, what it answered."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from retrieval.schema import AttributeLimits


class Intent(str, Enum):
    """What the user just did. Coarse on purpose: each value changes the policy differently.
    IARD's finer acts map onto these (see finetune for the mapping)."""

    REQUEST = "request"  # asks for recommendations, maybe with a first preference
    PREFERENCE = "preference"  # states likes/dislikes (items, genres, people, mood, era)
    CRITIQUE = "critique"  # adjusts the last results: "lighter", "more like the second"
    REJECT = "reject"  # "not that one", "no thanks"
    SEEN = "seen"  # "seen it"
    ACCEPT = "accept"  # "sounds great, I'll watch it"
    INQUIRE = "inquire"  # asks about an item: "what is the second one about?"
    CHITCHAT = "chitchat"  # greetings and talk that carries no preference
    END = "end"  # "bye"


class UserAct(BaseModel):
    """One user message, understood. Items are catalog ids: a title written by the user or
    proposed by a language model is resolved once, where the text comes in."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent
    liked_items: list[str] = Field(default_factory=list, description="Ids named positively.")
    disliked_items: list[str] = Field(default_factory=list, description="Ids named negatively.")
    seen_items: list[str] = Field(default_factory=list, description="Ids the user has seen.")
    liked_genres: list[str] = Field(default_factory=list)
    disliked_genres: list[str] = Field(default_factory=list)
    soft_genres: list[str] = Field(
        default_factory=list, description="Leaned towards by a mood ('date night'), never required."
    )
    avoid_themes: list[str] = Field(
        default_factory=list,
        description="Themes ruled out in the items' text ('violence', 'horror', 'adult').",
    )
    people: list[str] = Field(default_factory=list, description="People asked for, any role.")
    year_min: int | None = None
    year_max: int | None = None
    positions: list[int] = Field(
        default_factory=list, description="1-based positions in the last list the user refers to."
    )
    liked_positions: list[int] = Field(
        default_factory=list,
        description="Positions the user wants more like ('more like the 2nd').",
    )
    all_shown: bool = Field(default=False, description="Refers to the whole last list.")
    query: str = Field(default="", description="Free-text wish not covered by other fields.")
    unknown_titles: list[str] = Field(
        default_factory=list,
        description="Titles the user clearly named that the catalog lacks, as written.",
    )
    ambiguous_items: list[str] = Field(
        default_factory=list,
        description="Ids picked among same-titled items: the reply says which one was taken.",
    )
    limits: AttributeLimits = Field(
        default_factory=AttributeLimits,
        description="Limits on the catalog's own attributes and people ('rated above 4.2', "
        "'a standalone', 'by Brandon Sanderson'); see agent/attribute_reader.py.",
    )


class DialogueState(BaseModel):
    """Everything the agent knows about the user; persisted after every turn."""

    model_config = ConfigDict(extra="forbid")

    liked_items: list[str] = Field(default_factory=list, description="Item ids, oldest first.")
    disliked_items: list[str] = Field(default_factory=list)
    seen_items: list[str] = Field(default_factory=list)
    shown_items: list[str] = Field(default_factory=list, description="Every id recommended.")
    last_shown: list[str] = Field(default_factory=list, description="The latest list, in order.")
    liked_genres: list[str] = Field(default_factory=list, description="Soft preference.")
    required_genres: list[str] = Field(default_factory=list, description="Hard: any of these.")
    disliked_genres: list[str] = Field(default_factory=list, description="Hard: none of these.")
    avoid_themes: list[str] = Field(
        default_factory=list,
        description="Hard: no item whose text carries these themes (see `lexicon.THEMES`).",
    )
    liked_people: list[str] = Field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    limits: AttributeLimits = Field(
        default_factory=AttributeLimits, description="Hard: attribute and people limits."
    )
    queries: list[str] = Field(default_factory=list, description="Free-text wishes, newest last.")
    diversity: float = Field(default=0.0, ge=0.0, le=1.0, description="0: pure relevance.")
    turns: int = 0
    recent: list[str] = Field(
        default_factory=list,
        description="The last few utterances of "
        "both speakers, oldest first (the dialogue encoder reads them).",
    )
    last_reply: str = Field(
        default="",
        description="End of the agent's previous reply: what the user's next message answers.",
    )
    discussed: str | None = Field(
        default=None,
        description="Id of the item the last question "
        "was about: what 'it' and 'that one' mean next.",
    )

    def has_preferences(self) -> bool:
        return bool(
            self.liked_items
            or self.liked_genres
            or self.required_genres
            or self.liked_people
            or self.queries
            or self.disliked_genres
            or self.year_min
            or self.year_max
            or self.avoid_themes
            or not self.limits.is_empty()
        )

    def excluded_items(self) -> set[str]:
        """Never recommended again: shown, seen or rejected."""
        return (
            set(self.shown_items)
            | set(self.seen_items)
            | set(self.disliked_items)
            | set(self.liked_items)
        )


class Recommendation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    year: int | None = None
    genres: list[str] = Field(default_factory=list)
    description: str = ""
    byline: str = Field(
        default="", description="Its makers, cited when they are authors: 'by Brandon Sanderson'."
    )
    score: float
    reason: str = Field(description="One line, grounded in the item's data and the user's wishes.")


Action = Literal["ask", "recommend", "answer", "acknowledge", "goodbye", "undo"]


class Turn(BaseModel):
    """The agent's answer to one user message."""

    model_config = ConfigDict(extra="forbid")

    session_id: str
    reply: str
    action: Action
    intent: Intent
    items: list[Recommendation] = Field(default_factory=list)
    state: DialogueState
    timings_ms: dict[str, float] = Field(
        default_factory=dict, description="understand, retrieval, ranking, generation, total."
    )
    error: str | None = Field(default=None, description="What went wrong, if the turn degraded.")
    saved: bool = Field(
        default=True,
        description="False: the turn could not be computed or saved (a server it needs was "
        "down, or the session was busy); the session kept its previous state.",
    )


Reaction = Literal["like", "dislike", "seen"]


class Event(BaseModel):
    """What the user did to cause a turn, stored with it: typed, never a string to parse."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["message", "feedback", "setting", "undo"]  # undo: the Undo button
    text: str = Field(default="", description="message: what the user wrote.")
    item_id: str | None = Field(default=None, description="feedback: the item pressed.")
    reaction: Reaction | None = Field(default=None, description="feedback: which button.")
    setting: str | None = Field(default=None, description="setting: its name, e.g. diversity.")
    value: float | None = Field(default=None, description="setting: the new value.")
