"""The app's pieces without a browser: cards, restoring a conversation, readable errors, text
shown literally, and sessions that only their own tab can open."""

from __future__ import annotations

import json
import math
import socket

import pytest

from agent.schema import DialogueState, Event, Intent, Recommendation, Turn
from retrieval.schema import Item
from tests.ui._markdown import rendered
from ui.cards import card_html
from ui.transcript import restore

# A catalog title that, rendered as markdown or HTML, would load images and show links.
HOSTILE_TITLE = (
    "Zorblax ![x](http://127.0.0.1:9/pixel.png) <img src=http://127.0.0.1:9/p.png> "
    "[click](http://evil)"
)


def _rec(**kw) -> Recommendation:
    values = {
        "id": "1",
        "title": "Alien",
        "year": 1979,
        "genres": ["horror", "sci-fi"],
        "description": "In space, no one can hear you scream. " * 10,
        "score": 1.0,
        "reason": "Like Aliens (1986): also sci-fi.",
    }
    return Recommendation(**{**values, **kw})


def _turn(reply: str, items=(), diversity: float = 0.0, action="recommend") -> Turn:
    return Turn(
        session_id="s",
        reply=reply,
        action=action,
        intent=Intent.PREFERENCE,
        items=list(items),
        state=DialogueState(diversity=diversity),
    )


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
        (
            Event(kind="message", text="I loved Alien"),
            _turn("Here are picks", [_rec(id="1"), _rec(id="2")]),
        ),
        (
            Event(kind="setting", setting="diversity", value=0.6),
            _turn("", diversity=0.6, action="acknowledge"),
        ),
        (
            Event(kind="feedback", item_id="a1", reaction="dislike"),
            _turn("Noted.", [_rec(id="3")], diversity=0.6),
        ),
        (
            Event(kind="message", text="thanks, bye"),
            _turn("Enjoy!", diversity=0.6, action="goodbye"),
        ),
    ]
    messages, cards, diversity = restore(history, items)
    assert [_shown(m["content"]) for m in messages] == [
        "I loved Alien",
        "Here are picks",
        "Not for me: Alien (1979)",
        "Noted.",
        "thanks, bye",
        "Enjoy!",
    ]
    assert [c.id for c in cards] == ["3"]  # the latest list stays on screen
    assert diversity == 0.6


def test_restore_of_an_unknown_session_is_empty():
    assert restore([], {}) == ([], [], 0.0)


def test_restored_chat_shows_titles_and_user_text_literally():
    items = {"z": Item(id="z", title=HOSTILE_TITLE, year=1979)}
    history = [
        (
            Event(kind="message", text="I loved <b>Alien</b> ![me](http://127.0.0.1:9/me.png)"),
            _turn(f"Here are picks:\n1. {HOSTILE_TITLE} (1979) — Like Alien.", [_rec(id="z")]),
        ),
        (Event(kind="feedback", item_id="z", reaction="like"), _turn("Noted.")),
    ]
    messages, _, _ = restore(history, items)
    for m in messages:
        tags, _ = rendered(m["content"])
        assert set(tags) <= {"p", "br"}, (m["content"], tags)
    assert HOSTILE_TITLE in _shown(messages[1]["content"])
    assert _shown(messages[2]["content"]) == f"Like: {HOSTILE_TITLE} (1979)"


def _shown(content: str) -> str:
    """The text a reader sees in the chat pane."""
    return rendered(content)[1]


def _chat_texts(chat: list[dict]) -> list[str]:
    return [_shown(m["content"]) for m in chat]


def _layout(agent):
    import gradio as gr

    from ui.app import _Layout
    from ui.session_token import SessionTokens

    return _Layout(gr, agent, 5, SessionTokens.ephemeral())


def _restored(layout, token: str) -> tuple[str, list[dict], str, list]:
    """(token, chat, status, cards) as `_restore` shows them."""
    token, _slider, _box, _send, chat, status, cards, *_ = layout._restore(token)
    return token, chat, status, cards


def test_live_chat_shows_catalog_text_literally(db, tmp_path):
    """A catalog title with an image, an <img> tag and a link reaches the chat as plain text, in
    the streamed reply, the button-press line and the restored conversation."""
    from agent.build import build_agent, index_catalog
    from agent.settings import Settings
    from ui.app import GREETING

    settings = Settings(db=db, llm="none")
    catalog = tmp_path / "hostile.jsonl"
    alien = {
        "year": 1979,
        "genres": ["horror", "sci-fi"],
        "people": {"director": ["Ridley Scott"]},
        "text": "The crew of a commercial spacecraft encounter a deadly lifeform after "
        "investigating an unknown transmission.",
    }
    catalog.write_text(json.dumps({"id": "hostile", "title": HOSTILE_TITLE, **alien}) + "\n")
    index_catalog(str(catalog), settings, progress=False)
    layout = _layout(build_agent(settings))
    token = _restored(layout, "")[0]

    _, chat, _, cards, *_ = list(layout._send("I loved Alien (1979) <img src=x>", [], [], token))[
        -1
    ]
    slot = [c.id for c in cards].index("hostile")  # recommended, so its title is in the reply
    chat, *_ = layout._press(slot, "like")(chat, cards, token)
    restored_chat = _restored(layout, token)[1]
    for message in [*chat, *restored_chat]:
        tags, _ = rendered(message["content"])
        assert set(tags) <= {"p", "br"}, (message["content"], tags)
    texts = _chat_texts(restored_chat)
    assert texts == [GREETING, *_chat_texts(chat)]
    assert texts[1] == "I loved Alien (1979) <img src=x>"
    assert HOSTILE_TITLE in texts[2] and texts[3] == f"Like: {HOSTILE_TITLE} (1979)"


def test_the_app_opens_only_conversations_it_started(db):
    """A CLI session named "alice" cannot be read or changed through the app; a tab's own token
    reopens its own conversation, and nobody else's."""
    from agent.build import build_agent
    from agent.settings import Settings
    from ui.app import GREETING, UNKNOWN_SESSION

    agent = build_agent(Settings(db=db, llm="none"))
    agent.reply("alice", "I loved Alien (1979)")
    alice = agent.history("alice")
    layout = _layout(agent)

    token, chat, _, cards = _restored(layout, "alice")
    assert token != "alice" and _chat_texts(chat) == [GREETING] and cards == []
    box, chat, status, *_ = list(layout._send("more like that", [], [], "alice"))[-1]
    assert status == UNKNOWN_SESSION and box == "more like that" and chat == []
    assert layout._press(0, "like")([], [_rec(id=alice[0][1].items[0].id)], "alice")[1] == (
        UNKNOWN_SESSION
    )
    assert layout._set_diversity(0.5, "alice") == UNKNOWN_SESSION
    assert agent.history("alice") == alice

    list(layout._send("I loved Toy Story (1995)", [], [], token))
    token_again, chat, _, cards = _restored(layout, token)
    assert token_again == token and len(cards) == 5
    assert _chat_texts(chat)[:2] == [GREETING, "I loved Toy Story (1995)"]
    _, someone_else, _, _ = _restored(layout, "")
    assert _chat_texts(someone_else) == [GREETING]


def test_the_restore_endpoint_gives_a_cli_session_to_nobody(db):
    """Over HTTP, as anyone can call it: `/_restore` with a CLI session's name returns a fresh
    conversation, and `/_send` with it changes nothing."""
    gradio_client = pytest.importorskip("gradio_client")
    from agent.build import build_agent
    from agent.settings import Settings
    from ui.app import launch

    agent = build_agent(Settings(db=db, llm="none"))
    agent.reply("alice", "I loved Alien (1979)")
    alice = agent.history("alice")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = launch(agent, "127.0.0.1", port, block=False)
    try:
        client = gradio_client.Client(f"http://127.0.0.1:{port}/", verbose=False)
        restored = repr(client.predict("alice", api_name="/_restore"))
        sent = repr(client.predict("more like that", [], [], "alice", api_name="/_send"))
    finally:
        app.close()
    assert "I loved Alien" not in restored and "picks" not in restored
    assert "not one this app started" in sent
    assert agent.history("alice") == alice


@pytest.mark.parametrize("value", [math.nan, math.inf, 1.5, -0.1, None, "0.5"])
def test_the_slider_refuses_bad_values_readably(db, value):
    from agent.build import build_agent
    from agent.settings import Settings

    agent = build_agent(Settings(db=db, llm="none"))
    layout = _layout(agent)
    token = _restored(layout, "")[0]
    assert layout._set_diversity(0.3, token).startswith("Diversity set to 0.3")
    status = layout._set_diversity(value, token)
    assert status.startswith("**Note:** Diversity must be a number from 0 to 1"), status
    assert agent.state(layout.tokens.session_of(token)).diversity == 0.3


def test_app_turns_errors_into_readable_messages(db):
    """Empty input is refused with a sentence; a model server that is down still gives cards."""
    from agent.build import build_agent
    from agent.llm.base import LLMUnavailable
    from agent.settings import Settings

    class DownModel:
        def generate(self, *args, **kwargs):
            raise LLMUnavailable("connection refused: http://127.0.0.1:9/v1")

        stream = generate

    layout = _layout(build_agent(Settings(db=db, llm="none"), llm=DownModel()))
    token = _restored(layout, "")[0]
    box, chat, status, cards, *_ = list(layout._send("   ", [], [], token))[-1]
    assert status.startswith("**Note:** The message is empty") and chat == [] and box == "   "

    last = list(layout._send("I loved Toy Story (1995)", [], [], token))[-1]
    _, chat, status, cards, *_ = last
    assert len(cards) == 5 and _shown(chat[0]["content"]) == "I loved Toy Story (1995)"
    assert "language model is unavailable" in status and "connection refused" in status

    chat, status, after, *_ = layout._press(0, "dislike")(chat, cards, token)
    assert cards[0].id not in [c.id for c in after]
    assert _shown(chat[-2]["content"]).startswith("Not for me: ")
