"""The chat's short form of a reply that lists picks: each numbered line keeps its title and
drops the reason, which the card beside it shows in full, so the picks are not listed twice
(on a phone the duplicate list doubled the page's height)."""

from __future__ import annotations

from html import escape

from agent.schema import Recommendation

# Said under a compact list: on a phone the cards are below the chat, out of sight.
CARDS_HINT = "Details, reasons and buttons are on the cards (below the chat on a phone)."


def compact_reply(reply: str, items: list[Recommendation]) -> str:
    """`reply` with each line "N. Title (year) — reason" for the N-th pick cut to "N. Title
    (year)". Only lines naming that exact pick are shortened; every other word is kept as the
    agent wrote (and checked) it. The hint is added once any line was shortened."""
    prefixes = [f"{n}. {_display(rec)} " for n, rec in enumerate(items, 1)]
    lines, cut = [], False
    for line in reply.split("\n"):
        short = next((p.rstrip() for p in prefixes if line.startswith(p)), None)
        cut = cut or short is not None
        lines.append(short if short is not None else line)
    return "\n".join(lines) + (f"\n{CARDS_HINT}" if cut else "")


def _display(rec: Recommendation) -> str:
    return f"{rec.title} ({rec.year})" if rec.year else rec.title


def picks_hint(count: int, noun_plural: str) -> str:
    """A line under the chat saying the picks are on cards, linking to them: on a phone the
    cards start below the fold. Empty when there are no cards."""
    if not count:
        return ""
    return f"<a href='#cards' class='picks-hint'>{count} {escape(noun_plural)} on the cards ↓</a>"
