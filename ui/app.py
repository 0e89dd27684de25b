"""The Gradio app: a chat pane and, beside it, the current picks as cards with like / not for me /
seen it buttons, a relevance/diversity slider, an "undo" and a "new conversation" button.

Each browser tab keeps its own session token in `sessionStorage`: a reload keeps the conversation
(restored from the agent's SQLite session store), another tab or another person starts their own.
The server makes the tokens and signs them (`ui/session_token.py`), so the endpoints open only
conversations the app started, never a guessed id or a CLI session's name. Every message shown
is escaped (`ui/escape.py`): catalog text and user text are never rendered as markdown or HTML.
Gradio is imported only here, inside `build_app`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from agent.agent import InvalidFeedback, InvalidMessage, InvalidSetting, SessionBusy
from agent.schema import Event, Recommendation, Turn
from ui.cards import CSS, card_html
from ui.escape import literal
from ui.session_token import SessionTokens
from ui.transcript import BUTTON_LABELS, chat_message, restore, user_line

if TYPE_CHECKING:
    import gradio as gr

    from agent.agent import Agent

log = logging.getLogger(__name__)

GREETING = "What kind of movies do you enjoy? Naming a movie you loved helps me most."
UNKNOWN_SESSION = (
    "**Note:** this tab's conversation is not one this app started (perhaps the "
    "app was restarted); press **New conversation** to start one."
)
# Run in the browser. The server issues the token (`_restore`), the tab only keeps it, in
# `sessionStorage`: per tab, kept across reloads, gone when the tab closes.
_TOKEN_KEY = "convrec-session"
_STORED_TOKEN_JS = f"() => window.sessionStorage.getItem('{_TOKEN_KEY}') || ''"
_NO_TOKEN_JS = "() => ''"
_KEEP_TOKEN_JS = f"(token) => {{ window.sessionStorage.setItem('{_TOKEN_KEY}', token); }}"


def build_app(agent: Agent, k: int | None = None, tokens: SessionTokens | None = None) -> gr.Blocks:
    """The app over `agent`.

    Args:
        agent: answers the messages and keeps the sessions.
        k: card slots (default: the agent's list length).
        tokens: signs the session ids handed to browsers (default: a key for this process only,
            so tabs start afresh when the app restarts).
    """
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # read when gradio is imported
    try:
        import gradio as gr
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError("the UI needs gradio: pip install 'convrec[ui]'") from exc
    return _Layout(gr, agent, k or agent.k, tokens or SessionTokens.ephemeral()).blocks


class _Layout:
    """Builds the components and wires their events; one instance per app, not per user (per-tab
    values live in `gr.State` and in the browser)."""

    def __init__(self, gr, agent: Agent, k: int, tokens: SessionTokens) -> None:
        self.gr, self.agent, self.k, self.tokens = gr, agent, k, tokens
        with gr.Blocks(title="convrec") as self.blocks:
            self._components()
            self._events()

    def _components(self) -> None:
        gr = self.gr
        # The tab's session token. A hidden textbox, not gr.State: the browser's script sets it.
        self.session = gr.Textbox("", visible=False, elem_id="session")
        self.cards_state = gr.State([])  # list[Recommendation] on screen, in order
        gr.Markdown("## convrec: tell me what you like, I'll find movies")
        with gr.Row():
            with gr.Column(scale=3):
                # Messages arrive escaped (`chat_message`); LaTeX and custom tags are off too,
                # as KaTeX would render `$$` found in the escaped text.
                self.chat = gr.Chatbot(
                    value=[chat_message("assistant", GREETING)],
                    elem_id="chat",
                    height=480,
                    label="Conversation",
                    latex_delimiters=[],
                    allow_tags=False,
                )
                self.status = gr.Markdown("", elem_id="status", latex_delimiters=[])
                # Disabled until `_restore` has given the tab its token.
                with gr.Row():
                    self.box = gr.Textbox(
                        placeholder="e.g. I loved Alien and Aliens, nothing too gory",
                        show_label=False,
                        scale=5,
                        elem_id="message",
                        interactive=False,
                    )
                    self.send = gr.Button(
                        "Send", variant="primary", scale=1, elem_id="send", interactive=False
                    )
                with gr.Row():
                    self.diversity = gr.Slider(
                        0.0,
                        1.0,
                        value=0.0,
                        step=0.1,
                        elem_id="diversity",
                        label="Relevance ← → diversity",
                        interactive=False,
                    )
                    self.undo = gr.Button("Undo", elem_id="undo")
                    self.new = gr.Button("New conversation", elem_id="new-conversation")
            with gr.Column(scale=2, elem_id="cards"):
                gr.Markdown("### Recommendations")
                self.slots = [self._slot(i) for i in range(self.k)]

    def _slot(self, i: int) -> dict:
        gr = self.gr
        with gr.Column(visible=False, elem_classes="card", elem_id=f"card-{i}") as column:
            body = gr.HTML(elem_id=f"card-{i}-body")
            with gr.Row():
                buttons = {
                    reaction: gr.Button(
                        label, size="sm", min_width=60, elem_id=f"card-{i}-{reaction}"
                    )
                    for reaction, label in BUTTON_LABELS.items()
                }
        return {"column": column, "body": body, "buttons": buttons}

    # -- events ---------------------------------------------------------------------------------

    def _events(self) -> None:
        view = self._view_outputs()
        restored = [self.session, self.diversity, self.box, self.send, *view]
        for opened in (
            self.blocks.load(self._restore, [self.session], restored, js=_STORED_TOKEN_JS),
            self.new.click(self._restore, [self.session], restored, js=_NO_TOKEN_JS),
        ):
            opened.then(None, [self.session], None, js=_KEEP_TOKEN_JS)
        for trigger in (self.box.submit, self.send.click):
            trigger(
                self._send, [self.box, self.chat, self.cards_state, self.session], [self.box, *view]
            )
        self.diversity.release(self._set_diversity, [self.diversity, self.session], [self.status])
        self.undo.click(self._undo, [self.chat, self.cards_state, self.session], view)
        for i, slot in enumerate(self.slots):
            for reaction, button in slot["buttons"].items():
                button.click(
                    self._press(i, reaction), [self.chat, self.cards_state, self.session], view
                )

    def _view_outputs(self) -> list:
        columns = [slot["column"] for slot in self.slots]
        bodies = [slot["body"] for slot in self.slots]
        return [self.chat, self.status, self.cards_state, *columns, *bodies]

    def _view(self, chat: list[dict], status: str, cards: list[Recommendation]) -> list:
        """Values for `_view_outputs`: the chat, the status line and the card slots."""
        gr = self.gr
        shown = cards[: self.k]
        columns = [gr.Column(visible=i < len(shown)) for i in range(self.k)]
        bodies = [card_html(shown[i]) if i < len(shown) else "" for i in range(self.k)]
        return [chat, status, shown, *columns, *bodies]

    def _restore(self, token: str):
        """This tab's conversation (from the token the browser kept), or a fresh one with a new
        token when the tab has none or its token is not one this app signed."""
        session = self.tokens.session_of(token)
        if session is None:
            token = self.tokens.issue()
            session = self.tokens.session_of(token)
        messages, cards, diversity = restore(self.agent.history(session), self.agent.items())
        chat = [chat_message("assistant", GREETING), *messages]
        gr = self.gr
        enabled = [
            gr.Slider(value=diversity, interactive=True),
            gr.Textbox(interactive=True),
            gr.Button(interactive=True),
        ]
        return [token, *enabled, *self._view(chat, "", cards)]

    def _send(self, message: str, chat: list[dict], cards: list, token: str) -> Iterator[list]:
        """Streams one answer: the cards as soon as they are ranked, then the growing reply."""
        chat = list(chat or [])
        session = self.tokens.session_of(token)
        if session is None:  # the message stays in the box
            yield [message, *self._view(chat, UNKNOWN_SESSION, _cards(cards))]
            return
        stream = self.agent.reply_stream(session, message)
        try:
            turn = next(stream, None)  # validation and ranking happen here
        except InvalidMessage as exc:
            yield ["", *self._view(chat, _note(str(exc)), _cards(cards))]
            return
        chat.append(chat_message("user", message.strip()))
        chat.append(chat_message("assistant", ""))
        while turn is not None:
            chat[-1] = chat_message("assistant", turn.reply)
            cards = turn.items if turn.items or turn.action == "undo" else _cards(cards)
            yield ["", *self._view(chat, _status(turn), cards)]
            turn = next(stream, None)

    def _press(self, slot: int, reaction: str):
        def press(chat: list[dict], cards: list, token: str) -> list:
            cards = _cards(cards)
            session = self.tokens.session_of(token)
            if session is None:
                return self._view(chat, UNKNOWN_SESSION, cards)
            if slot >= len(cards):
                return self._view(chat, "That card is gone; here are the current picks.", cards)
            item_id = cards[slot].id
            try:
                turn = self.agent.feedback(session, item_id, reaction)
            except InvalidFeedback:
                return self._view(chat, "That movie is no longer in the catalog.", cards)
            event = Event(kind="feedback", item_id=item_id, reaction=reaction)
            chat = [
                *chat,
                chat_message("user", user_line(event, self.agent.items())),
                chat_message("assistant", turn.reply),
            ]
            return self._view(chat, _status(turn), turn.items or cards)

        return press

    def _undo(self, chat: list[dict], cards: list, token: str) -> list:
        """Takes back the latest change (a mis-pressed "Not for me", a message)."""
        cards = _cards(cards)
        session = self.tokens.session_of(token)
        if session is None:
            return self._view(chat, UNKNOWN_SESSION, cards)
        turn = self.agent.undo(session)
        chat = [
            *chat,
            chat_message("user", user_line(Event(kind="undo"), self.agent.items())),
            chat_message("assistant", turn.reply),
        ]
        # An undo back to before any picks empties the cards; a failed one keeps them.
        return self._view(chat, _status(turn), cards if turn.error else turn.items)

    def _set_diversity(self, value: float, token: str) -> str:
        session = self.tokens.session_of(token)
        if session is None:
            return UNKNOWN_SESSION
        try:  # the agent checks the value: the endpoint can be sent NaN, a string, None
            self.agent.set_diversity(session, value)
        except InvalidSetting as exc:
            return _note(str(exc))
        except SessionBusy:
            return "**Note:** the previous action is still running; move the slider again."
        return f"Diversity set to {float(value):.1f}: it applies to the next picks."


def _cards(values: list) -> list[Recommendation]:
    """Cards from `gr.State`, which may hold models or (after a round trip) plain dicts."""
    return [
        v if isinstance(v, Recommendation) else Recommendation.model_validate(v)
        for v in values or []
    ]


def _status(turn: Turn) -> str:
    if not turn.error:
        return ""
    # The error text may quote a server's answer or catalog text: shown literally.
    if turn.items:
        return (
            "**Note:** the language model is unavailable, so this reply uses a template; "
            f"the picks are unaffected. ({literal(turn.error[:200])})"
        )
    return (
        "**Error:** something went wrong on my side; your conversation is kept. "
        f"({literal(turn.error[:200])})"
    )


def _note(error: str) -> str:
    """A refused input as a status line; the error may quote what was sent, shown literally."""
    sentence = error[:1].upper() + error[1:] + ("" if error.endswith(".") else ".")
    return f"**Note:** {literal(sentence)}"


def launch(
    agent: Agent,
    host: str = "127.0.0.1",
    port: int = 7860,
    block: bool = True,
    secret_file: Path | None = None,
):
    """Start the app on `host:port` (127.0.0.1 by default: only this machine can reach it).

    Args:
        secret_file: the key that signs session tokens (created, mode 0600, if missing), so
            tabs reopen their conversations after a restart; None: a key for this process only.

    Returns:
        The running `gr.Blocks` (call `.close()` to stop it) once `block` is False.
    """
    tokens = SessionTokens.from_file(secret_file) if secret_file else SessionTokens.ephemeral()
    app = build_app(agent, tokens=tokens)
    app.queue(default_concurrency_limit=4)
    app.launch(
        server_name=host,
        server_port=port,
        share=False,
        css=CSS,
        prevent_thread_lock=not block,
        footer_links=[],
        quiet=not block,
    )
    return app
