"""The chat's compact list, the shortlist and the cover URLs, without a browser."""

from __future__ import annotations

from pathlib import Path

from agent.schema import Recommendation
from retrieval.schema import Item
from ui.cards import card_html, cover_url
from ui.compact import CARDS_HINT, compact_reply, picks_hint
from ui.shortlist import Downloads, shortlist_text


def _rec(title: str, year: int | None) -> Recommendation:
    return Recommendation(id=title, title=title, year=year, score=1.0, reason="also sci-fi")


def test_compact_reply_keeps_titles_drops_reasons_and_nothing_else():
    picks = [_rec("Blade Runner", 1982), _rec("Predator", 1987)]
    reply = (
        "Here are 2 picks based on Alien (1979):\n"
        "1. Blade Runner (1982) — Like Alien (1979): also sci-fi.\n"
        "2. Predator (1987) — Like Aliens (1986): also action.\n"
        "3. Titanic (1997) — not a pick: left as written.\n"
        "Want more like one of these?"
    )
    assert compact_reply(reply, picks).split("\n") == [
        "Here are 2 picks based on Alien (1979):",
        "1. Blade Runner (1982)",
        "2. Predator (1987)",
        "3. Titanic (1997) — not a pick: left as written.",
        "Want more like one of these?",
        CARDS_HINT,
    ]
    assert compact_reply("Alien (1979) is directed by Ridley Scott.", picks) == (
        "Alien (1979) is directed by Ridley Scott."
    )


def test_picks_hint_only_with_cards_and_escaped():
    assert picks_hint(0, "movies") == ""
    assert "5 movies on the cards" in picks_hint(5, "movies")
    assert "<b>" not in picks_hint(1, "<b>s")


def test_shortlist_lists_liked_titles_and_downloads_them():
    items = {
        "1": Item(id="1", title="Alien", year=1979, genres=["horror", "sci-fi"]),
        "2": Item(id="2", title="Heat", year=1995),
    }
    text = shortlist_text(["1", "gone", "2"], items)
    assert text == "Alien (1979) — horror, sci-fi\nHeat (1995)"
    downloads = Downloads()
    path = downloads.write(text)
    assert Path(path).read_text(encoding="utf-8") == text + "\n"
    assert downloads.write(text) == path and downloads.write("other") != path


def test_covers_take_only_https_urls_and_are_escaped():
    assert cover_url("https://images.gr-assets.com/books/1.jpg") == (
        "https://images.gr-assets.com/books/1.jpg"
    )
    for bad in ("javascript:alert(1)", "data:image/png;base64,AA", "http://x/y.jpg", "", None, 3):
        assert cover_url(bad) is None
    html = card_html(_rec("Dune", 1965), "https://x.org/a.jpg?q='><script>")
    assert "<script>" not in html and "src='https://x.org/a.jpg?q=&#x27;&gt;&lt;script&gt;'" in html
    assert "<img" not in card_html(_rec("Dune", 1965))
