"""Corrections of the latest change: "actually I did like it", "no, I meant the 2004 one".

Both refer to "the last item acted on": the item the latest undoable change added to the liked,
disliked or seen items (found by comparing the state with `Snapshot.before`). The rules cannot
see that (they read one message), so the agent asks here after understanding the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from agent.schema import DialogueState, Intent, UserAct

_CHANGE_OF_MIND = re.compile(r"\b(?:actually|after all|on second thought|come to think of it)\b")
_PRONOUN = re.compile(r"\b(?:it|that|that one|this one|this)\b")
_NEGATIVE = re.compile(r"\b(?:didn'?t|did not|don'?t|do not|not|never|hated?|disliked?)\b")
_POSITIVE = re.compile(r"\b(?:like|liked|love|loved|enjoy|enjoyed|adore|adored)\b")
_MEANT_YEAR = re.compile(
    r"\bmeant\b.*?\b((?:19|20)\d\d)\b|\bthe ((?:19|20)\d\d)(?: one| version| film| movie)\b"
)
_ITEM_LISTS = ("liked_items", "disliked_items", "seen_items")


@dataclass
class Correction:
    """A message read as a correction of the latest change."""

    act: UserAct  # what to fold into `state`
    state: DialogueState  # the state to fold it into (the linked item already swapped)
    note: str = ""  # said before the picks, e.g. "Got it: Night Train (2004), not ..."


def correct(
    message: str,
    act: UserAct,
    state: DialogueState,
    before: DialogueState | None,
    namesake: Callable[[str, int], str | None],
    title: Callable[[str], str],
) -> Correction | None:
    """The correction a message makes, or None when it is not one (the act stands).

    Args:
        act: the message as the intent model understood it.
        before: the state before the latest undoable change (None: there was none).
        namesake: (item id, year) -> the id of the item with that title and year, if any.
        title: an item id as people read it.
    """
    target = last_acted(state, before)
    if target is None:
        return None
    text = " ".join(message.lower().split())
    year = _meant_year(text)
    if year is not None:
        other = namesake(target, year)
        if other is None or other == target:
            return None
        swapped = _swapped(state, target, other)
        note = f"Got it: {title(other)}, not {title(target)}."
        return Correction(UserAct(intent=Intent.PREFERENCE), swapped, note)
    return _reversal(text, act, state, target, before.last_shown, title)


def last_acted(state: DialogueState, before: DialogueState | None) -> str | None:
    """The item the latest change added to the liked, disliked or seen items, if one."""
    if before is None:
        return None
    added = [
        i for field in _ITEM_LISTS for i in getattr(state, field) if i not in getattr(before, field)
    ]
    return added[-1] if added else None


def _reversal(
    text: str,
    act: UserAct,
    state: DialogueState,
    target: str,
    shown_then: list[str],
    title: Callable[[str], str],
) -> Correction | None:
    """ "actually I did like it" after a dislike (and the other way round); "actually I liked
    the second one" when the second one of the list shown then was the one disliked."""
    if not _CHANGE_OF_MIND.search(text):
        return None
    positions = act.positions + act.liked_positions
    if positions:  # the list the user was looking at when they changed their mind
        if [shown_then[p - 1] for p in positions if 0 < p <= len(shown_then)] != [target]:
            return None
    elif (
        act.liked_items
        or act.disliked_items
        or act.seen_items
        or act.all_shown
        or not (_PRONOUN.search(text))
    ):
        return None
    if _NEGATIVE.search(text) and target in state.liked_items:
        return Correction(
            UserAct(intent=Intent.PREFERENCE, disliked_items=[target]),
            state,
            f"Got it: not {title(target)} after all.",
        )
    if not _NEGATIVE.search(text) and _POSITIVE.search(text) and target not in state.liked_items:
        return Correction(
            UserAct(intent=Intent.PREFERENCE, liked_items=[target]),
            state,
            f"Got it: you like {title(target)} after all.",
        )
    return None


def _meant_year(text: str) -> int | None:
    match = _MEANT_YEAR.search(text)
    return int(match.group(1) or match.group(2)) if match else None


def _swapped(state: DialogueState, old: str, new: str) -> DialogueState:
    """The state with `new` wherever the latest change put `old`."""
    update = {
        field: [new if i == old else i for i in getattr(state, field)] for field in _ITEM_LISTS
    }
    return state.model_copy(update=update, deep=True)
