"""A recommendation as a card: title, year, genres, a short description and the reason."""

from __future__ import annotations

from html import escape

from agent.schema import Recommendation

DESCRIPTION_CHARS = 180  # a card shows a teaser; the whole plot is one question away in the chat


def card_html(rec: Recommendation) -> str:
    """The card's body as HTML (the buttons are separate components). Every field is escaped:
    titles and plots come from catalog files, which anyone can write."""
    year = f" <span class='card-year'>({rec.year})</span>" if rec.year else ""
    genres = ", ".join(rec.genres)
    return (
        f"<div class='card-body' data-item-id='{escape(rec.id, quote=True)}'>"
        f"<div class='card-title'><b>{escape(rec.title)}</b>{year}</div>"
        + (f"<div class='card-genres'>{escape(genres)}</div>" if genres else "")
        + f"<div class='card-description'>{escape(_teaser(rec.description))}</div>"
        f"<div class='card-reason'><i>Why:</i> {escape(rec.reason)}</div>"
        "</div>"
    )


def _teaser(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


CSS = """
.card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px; }
.card-title { font-size: 1.05em; }
.card-genres { color: var(--body-text-color-subdued); font-size: 0.85em; }
.card-description { font-size: 0.9em; margin: 4px 0; }
.card-reason { font-size: 0.85em; }
"""
