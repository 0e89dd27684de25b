"""A recommendation as a card: title, year, genres, a short description and the reason."""

from __future__ import annotations

from html import escape
from urllib.parse import urlparse

from agent.schema import Recommendation

DESCRIPTION_CHARS = 180  # a card shows a teaser; the whole plot is one question away in the chat


def card_html(rec: Recommendation, cover: str | None = None) -> str:
    """The card's body as HTML (the buttons are separate components). Every field is escaped:
    titles and plots come from catalog files, which anyone can write. `cover`: an image URL
    already checked by `cover_url`, shown only when the app's covers setting is on."""
    image = (
        f"<img class='card-cover' src='{escape(cover, quote=True)}' alt='' loading='lazy'"
        " referrerpolicy='no-referrer'>"
        if cover
        else ""
    )
    year = f" <span class='card-year'>({rec.year})</span>" if rec.year else ""
    genres = ", ".join(rec.genres)
    return (
        f"<div class='card-body' data-item-id='{escape(rec.id, quote=True)}'>{image}"
        f"<div class='card-title'><b>{escape(rec.title)}</b>{year}</div>"
        + (f"<div class='card-byline'>{escape(rec.byline)}</div>" if rec.byline else "")
        + (f"<div class='card-genres'>{escape(genres)}</div>" if genres else "")
        + f"<div class='card-description'>{escape(_teaser(rec.description))}</div>"
        f"<div class='card-reason'><i>Why:</i> {escape(rec.reason)}</div>"
        "</div>"
    )


def cover_url(value: object) -> str | None:
    """A catalog's image URL attribute as a cover, if it is a plain https URL (no `javascript:`,
    no `data:`, no local file)."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.netloc or any(c.isspace() for c in url):
        return None
    return url


def _teaser(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


CSS = """
.card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px; }
.card-title { font-size: 1.05em; }
.card-byline { font-size: 0.9em; }
/* The body colour, not the "subdued" grey: that was 1.9:1 on white (WCAG AA needs 4.5:1). */
.card-genres { color: var(--body-text-color); font-size: 0.85em; font-style: italic; }
.card-cover { float: right; max-height: 96px; max-width: 64px; margin-left: 6px; }
.card-description { font-size: 0.9em; margin: 4px 0; }
.card-reason { font-size: 0.85em; }
/* Darker button colours than the theme's: white on its orange/red is under 4.5:1. */
.gradio-container button.primary { background: #9a3412 !important; color: #fff !important; }
.gradio-container button.stop { background: #b91c1c !important; color: #fff !important; }
/* Touch targets of at least 44 px (WCAG 2.5.5) for every button. */
.gradio-container button { min-height: 44px; }
#picks-hint { display: none; }
#confirm-new { align-items: center; }
@media (max-width: 768px) {
  /* On a phone the cards are below the chat: the hint under the chat says so and links there,
     and the chat is shorter so the hint and the message box stay above the fold. */
  #picks-hint { display: block; font-weight: 600; }
  #chat { height: 360px !important; max-height: 360px !important; }
}
"""
