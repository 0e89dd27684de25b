"""Undo: recognising "undo that" in a message, and saying what an undo took back.

Undo is a command about the conversation, not an intent about movies, so it is read before the
intent model (whose trained labels it would otherwise have to join) and it restores a stored
state (`Snapshot.before`) instead of being folded into the current one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.schema import DialogueState

MAX_CHANGES = 4  # named in the reply; more would bury the picks
# Whole short commands only: "go back to the 80s" is a preference, "go back." an undo.
_UNDO = re.compile(
    r"\b(?:undo|revert)\b(?! the (?:19|20)\d\d)"
    r"|\btake (?:that|it|this) back\b"
    r"|\bscratch that\b"
    r"|\bi (?:didn'?t|did not) mean (?:that|it|to)\b"
    r"|\bgo back(?: (?:a|one) step)?\s*[.!]*\s*$"
    r"|^\s*(?:oops|whoops)[\s,.!]*(?:wrong (?:button|one))?[\s.!]*$",
    re.IGNORECASE,
)
_ITEM_LISTS = (  # field, what undoing an addition says, what undoing a removal says
    ("liked_items", "you no longer like {}", "you like {} again"),
    ("disliked_items", "you no longer dislike {}", "you dislike {} again"),
    ("seen_items", "{} is no longer marked as seen", "{} is marked as seen again"),
)
_WORD_LISTS = (
    ("liked_genres", "no more leaning to {}", "leaning to {} again"),
    ("required_genres", "{} is no longer required", "{} is required again"),
    ("disliked_genres", "{} is allowed again", "no {} again"),
    ("liked_people", "no more looking for {}", "looking for {} again"),
    ("queries", 'no longer asking for "{}"', 'asking for "{}" again'),
)


def wants_undo(message: str) -> bool:
    """Whether a message asks to take back the latest change ("oops, undo that")."""
    return bool(_UNDO.search(" ".join(message.split())))


def undone(current: DialogueState, restored: DialogueState, title: Callable[[str], str]) -> str:
    """The reply's first line for an undo from `current` back to `restored`.

    Args:
        title: an item id as people read it ("Alien (1979)").
    """
    changes = _list_changes(current, restored, _ITEM_LISTS, title)
    changes += _list_changes(current, restored, _WORD_LISTS, str)
    if (current.year_min, current.year_max) != (restored.year_min, restored.year_max):
        changes.append(f"the years are back to {_years(restored)}")
    if not changes and current.last_shown != restored.last_shown:
        changes.append("the latest picks")
    if not changes:
        return "Undone: your last message."
    listed = "; ".join(changes[:MAX_CHANGES]) + ("; and more" if len(changes) > MAX_CHANGES else "")
    return f"Undone: {listed}."


def _list_changes(
    current: DialogueState, restored: DialogueState, fields: tuple, name: Callable[[str], str]
) -> list[str]:
    changes = []
    for field, added, removed in fields:
        now, then = getattr(current, field), getattr(restored, field)
        changes += [added.format(name(v)) for v in now if v not in then]
        changes += [removed.format(name(v)) for v in then if v not in now]
    return changes


def _years(state: DialogueState) -> str:
    if state.year_min is None and state.year_max is None:
        return "any"
    return f"{state.year_min or '…'}–{state.year_max or '…'}"
