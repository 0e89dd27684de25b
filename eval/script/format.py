"""The scripted-dialogue format: fixed conversations with expectations on every agent turn.

A file holds one script, or several under `scripts:` (YAML), or one script per line (JSONL):

    name: rejections                # several scripts: YAML documents separated by ---
    items: []                       # optional: catalog items added to the index first
    turns:
      - user: I loved Alien (1979) and Aliens (1986)
        expect: {min_items: 3, none_with_genre: [horror]}
      - feedback: {position: 1, reaction: dislike}   # a card button instead of a message
        expect: {no_repeats: true, excludes: [Alien (1979)]}

Titles in expectations are matched against the index by display title ("Alien (1979)") or
title, case-insensitively; ids work too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from retrieval.schema import Item


class Expectations(BaseModel):
    """What must hold for the agent's answer to one scripted turn. Unset fields are not checked."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["ask", "recommend", "answer", "acknowledge", "goodbye", "undo"] | None = None
    asks_question: bool | None = Field(default=None, description="The agent asks, not recommends.")
    min_items: int | None = Field(default=None, ge=0, description="Recommends at least this many.")
    max_items: int | None = Field(default=None, ge=0)
    none_with_genre: list[str] = Field(default_factory=list, description="No item has these.")
    all_with_genre: list[str] = Field(default_factory=list, description="Each has one of these.")
    includes: list[str] = Field(default_factory=list, description="Titles or ids in the list.")
    excludes: list[str] = Field(default_factory=list, description="Titles or ids not in it.")
    no_repeats: bool | None = Field(default=None, description="Nothing shown earlier returns.")
    year_min: int | None = Field(default=None, description="Every item from this year on.")
    year_max: int | None = None
    all_by: list[str] = Field(default_factory=list, description="Each credits one of these.")
    none_by: list[str] = Field(default_factory=list, description="None credits these people.")
    attribute_min: dict[str, float] = Field(
        default_factory=dict, description="Every item's attribute at least this (a rating)."
    )
    attribute_max: dict[str, float] = Field(default_factory=dict)
    none_with_attribute: list[str] = Field(
        default_factory=list, description="No item has these attributes ('series': standalones)."
    )
    attribute_in: dict[str, list[str]] = Field(
        default_factory=dict, description="Every item's attribute is one of these values."
    )
    attribute_not_in: dict[str, list[str]] = Field(
        default_factory=dict, description="No item's attribute is one of these values."
    )
    reply_contains: list[str] = Field(default_factory=list, description="Case-insensitive.")
    reply_excludes: list[str] = Field(default_factory=list, description="Case-insensitive.")
    about: list[str] = Field(
        default_factory=list,
        description="Titles or ids the reply is "
        "about: every person and year it names must be theirs.",
    )
    refers_to: int | None = Field(
        default=None,
        description="1-based position in the latest "
        "list (-1: its last) of the item the reply must be about.",
    )
    picks_unchanged: bool | None = Field(
        default=None,
        description="The turn shows no items and leaves the picks and preferences as they were.",
    )
    invalid: bool | None = Field(default=None, description="The message is refused as invalid.")
    no_error: bool | None = Field(default=None, description="The turn did not degrade.")


class Feedback(BaseModel):
    """A press on a recommendation card's button."""

    model_config = ConfigDict(extra="forbid")

    position: int = Field(ge=1, description="1-based position in the latest list.")
    reaction: Literal["like", "dislike", "seen"]


class ScriptTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str | None = Field(default=None, description="What the user types.")
    repeat: int = Field(
        default=1,
        ge=1,
        le=10_000,
        description="`user` typed this many times over, for very long input.",
    )
    feedback: Feedback | None = None
    diversity: float | None = Field(default=None, ge=0.0, le=1.0, description="Slider, then type.")
    expect: Expectations = Field(default_factory=Expectations)

    @model_validator(mode="after")
    def _one_action(self) -> ScriptTurn:
        if (self.user is None) == (self.feedback is None):
            raise ValueError("a turn has either `user` (a message) or `feedback` (a button)")
        return self


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    items: list[Item] = Field(default_factory=list, description="Added to the index first.")
    turns: list[ScriptTurn] = Field(min_length=1)


class ScriptError(ValueError):
    """A script file that cannot be read; the message names the file and the problem."""


def load_scripts(path: Path) -> list[Script]:
    """Every script in a file (.yaml/.yml/.json/.jsonl) or in the YAML files of a folder."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".jsonl"))
        return [script for file in files for script in load_scripts(file)]
    if not path.is_file():
        raise FileNotFoundError(f"script file not found: {path}")
    try:
        return [Script.model_validate(raw) for raw in _documents(path)]
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ScriptError(f"{path}: {problems}") from None


def _documents(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if path.suffix == ".json":
        raw = json.loads(text)
    else:
        import yaml

        try:
            raw = [doc for doc in yaml.safe_load_all(text) if doc is not None]
        except yaml.YAMLError as exc:
            raise ScriptError(f"{path}: not valid YAML: {exc}") from None
    documents = []
    for doc in raw if isinstance(raw, list) else [raw]:
        documents += doc["scripts"] if isinstance(doc, dict) and "scripts" in doc else [doc]
    return documents
