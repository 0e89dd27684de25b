"""What the reply says about how the user's titles were read: a title the catalog lacks ("I
don't have Amélie in this catalog") and which of several same-titled items was taken."""

from __future__ import annotations

from collections.abc import Callable

from agent.schema import UserAct


def linking_note(act: UserAct, title: Callable[[str], str]) -> str:
    """One or two sentences, or "" when every title was clear.

    Args:
        act: the understood message; `unknown_titles` and `ambiguous_items` are read.
        title: an item id's display title ("The Notebook (2004)").
    """
    parts = [f"I don't have {name} in this catalog." for name in dict.fromkeys(act.unknown_titles)]
    taken = [title(item_id) for item_id in dict.fromkeys(act.ambiguous_items)]
    if taken:
        parts.append(f"I took {' and '.join(taken)} (say the year if you meant another one).")
    return " ".join(parts)
