"""The chat pane's messages, rebuilt from a saved session so a reload loses nothing."""

from __future__ import annotations

from agent.schema import Event, Recommendation, Turn
from retrieval.schema import Item
from ui.compact import compact_reply
from ui.escape import literal

# The card buttons. Plain words: emoji glyphs are missing from many fonts (a headless Chromium
# shows boxes).
BUTTON_LABELS = {"like": "Like", "dislike": "Not for me", "seen": "Seen it"}


def chat_message(role: str, text: str) -> dict:
    """A chat message showing `text` literally. Every message the app puts in the chat is built
    here: replies quote catalog titles, plots and reasons, which anyone who writes a catalog file
    controls, and the chat pane renders markdown and HTML."""
    return {"role": role, "content": literal(text)}


def user_line(event: Event, items: dict[str, Item]) -> str:
    """What the chat shows for what the user did: a button press gets a readable label."""
    if event.kind == "undo":
        return "Undo"
    if event.kind != "feedback":
        return event.text
    item = items.get(event.item_id or "")
    title = item.display_title if item is not None else event.text or "an item"
    return f"{BUTTON_LABELS.get(event.reaction or '', event.reaction)}: {title}"


def restore(
    history: list[tuple[Event, Turn]], items: dict[str, Item]
) -> tuple[list[dict], list[Recommendation], float]:
    """(chat messages, escaped, the latest cards, the diversity setting) of a saved session.

    Args:
        history: `Agent.history(session_id)`, oldest first.
        items: the catalog, for the titles of pressed items.
    """
    messages: list[dict] = []
    cards: list[Recommendation] = []
    diversity = 0.0
    for event, turn in history:
        diversity = turn.state.diversity
        if event.kind == "setting":
            continue  # a slider move, not something anyone said
        messages.append(chat_message("user", user_line(event, items)))
        messages.append(chat_message("assistant", compact_reply(turn.reply, turn.items)))
        if turn.items or turn.action == "undo":  # an undo may go back to before any picks
            cards = list(turn.items)
    return messages, cards, diversity
