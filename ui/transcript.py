"""The chat pane's messages, rebuilt from a saved session so a reload loses nothing."""

from __future__ import annotations

from agent.schema import Recommendation, Turn

# How `Agent.feedback` and `Agent.set_diversity` label their turns in the session history.
# Plain words: emoji glyphs are missing from many fonts (a headless Chromium shows boxes).
BUTTON_LABELS = {"like": "Like", "dislike": "Not for me", "seen": "Seen it"}
_SETTING_PREFIX = "[diversity]"


def user_line(message: str) -> str:
    """What the chat shows for a saved user message: button presses get a readable label."""
    for reaction, label in BUTTON_LABELS.items():
        prefix = f"[{reaction}] "
        if message.startswith(prefix):
            return f"{label}: {message[len(prefix):]}"
    return message


def restore(history: list[tuple[str, Turn]]) -> tuple[list[dict], list[Recommendation], float]:
    """(chat messages, the latest cards, the diversity setting) of a saved session.

    Args:
        history: `SessionStore.history(session_id)`, oldest first.
    """
    messages: list[dict] = []
    cards: list[Recommendation] = []
    diversity = 0.0
    for message, turn in history:
        diversity = turn.state.diversity
        if message.startswith(_SETTING_PREFIX):
            continue  # a slider move, not something anyone said
        messages.append({"role": "user", "content": user_line(message)})
        messages.append({"role": "assistant", "content": turn.reply})
        if turn.items:
            cards = list(turn.items)
    return messages, cards, diversity
