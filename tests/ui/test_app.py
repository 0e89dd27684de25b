"""The app's pieces without a browser: cards, restoring a conversation, readable errors."""

from __future__ import annotations

from agent.schema import DialogueState, Event, Intent, Recommendation, Turn
from retrieval.schema import Item
from ui.cards import card_html
from ui.transcript import restore


def _rec(**kw) -> Recommendation:
    values = {"id": "1", "title": "Alien", "year": 1979, "genres": ["horror", "sci-fi"],
              "description": "In space, no one can hear you scream. " * 10, "score": 1.0,
              "reason": "Like Aliens (1986): also sci-fi."}
    return Recommendation(**{**values, **kw})


def _turn(reply: str, items=(), diversity: float = 0.0, action="recommend") -> Turn:
    return Turn(session_id="s", reply=reply, action=action, intent=Intent.PREFERENCE,
                items=list(items), state=DialogueState(diversity=diversity))


def test_card_shows_title_year_genres_teaser_and_reason():
    html = card_html(_rec())
    assert "<b>Alien</b>" in html and "(1979)" in html and "horror, sci-fi" in html
    assert "Like Aliens (1986): also sci-fi." in html
    assert "…" in html and html.count("no one can hear") < 10  # a teaser, not the whole text


def test_card_escapes_catalog_text():
    html = card_html(_rec(title="<script>alert(1)</script>", id="x'><img>"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img>" not in html


def test_restore_rebuilds_chat_cards_and_slider():
    items = {"a1": Item(id="a1", title="Alien", year=1979)}
    history = [
        (Event(kind="message", text="I loved Alien"),
         _turn("Here are picks", [_rec(id="1"), _rec(id="2")])),
        (Event(kind="setting", setting="diversity", value=0.6),
         _turn("", diversity=0.6, action="acknowledge")),
        (Event(kind="feedback", item_id="a1", reaction="dislike"),
         _turn("Noted.", [_rec(id="3")], diversity=0.6)),
        (Event(kind="message", text="thanks, bye"), _turn("Enjoy!", diversity=0.6, action="goodbye")),
    ]
    messages, cards, diversity = restore(history, items)
    assert [m["content"] for m in messages] == [
        "I loved Alien", "Here are picks", "Not for me: Alien (1979)", "Noted.", "thanks, bye",
        "Enjoy!"]
    assert [c.id for c in cards] == ["3"]  # the latest list stays on screen
    assert diversity == 0.6


def test_restore_of_an_unknown_session_is_empty():
    assert restore([], {}) == ([], [], 0.0)


def test_app_turns_errors_into_readable_messages(db):
    """Empty input is refused with a sentence; a model server that is down still gives cards."""
    from agent.build import build_agent
    from agent.llm.base import LLMUnavailable
    from agent.settings import Settings
    from ui.app import _Layout

    class DownModel:
        def generate(self, *args, **kwargs):
            raise LLMUnavailable("connection refused: http://127.0.0.1:9/v1")

        stream = generate

    import gradio as gr

    layout = _Layout(gr, build_agent(Settings(db=db, llm="none"), llm=DownModel()), k=5)
    box, chat, status, cards, *_ = list(layout._send("   ", [], [], "s1"))[-1]
    assert status.startswith("**Note:** The message is empty") and chat == [] and box == ""

    last = list(layout._send("I loved Toy Story (1995)", [], [], "s1"))[-1]
    _, chat, status, cards, *_ = last
    assert len(cards) == 5 and chat[0]["content"] == "I loved Toy Story (1995)"
    assert "language model is unavailable" in status and "connection refused" in status

    chat, status, after, *_ = layout._press(0, "dislike")(chat, cards, "s1")
    assert cards[0].id not in [c.id for c in after]
    assert chat[-2]["content"].startswith("Not for me: ")
