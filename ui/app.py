"""The Gradio app: a chat pane and, beside it, the current picks as cards with like / not for me /
seen it buttons, a relevance/diversity slider and a "new conversation" button.

Each browser tab keeps its own session id in `sessionStorage`: a reload keeps the conversation
(restored from the agent's SQLite session store), another tab or another person starts their own.
Gradio is imported only here, inside `build_app`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from agent.agent import InvalidFeedback, InvalidMessage, InvalidSetting
from agent.schema import Event, Recommendation, Turn
from ui.cards import CSS, card_html
from ui.transcript import BUTTON_LABELS, restore, user_line

if TYPE_CHECKING:
    import gradio as gr

    from agent.agent import Agent

log = logging.getLogger(__name__)

GREETING = "What kind of movies do you enjoy? Naming a movie you loved helps me most."
# Runs in the browser: this tab's session id, created once and kept across reloads. `crypto.
# randomUUID` needs a secure context (localhost is one); a LAN address falls back to random.
_SESSION_JS = """(current) => {
  const key = "convrec-session";
  let id = window.sessionStorage.getItem(key);
  if (!id) {
    id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
         : Date.now().toString(36) + Math.random().toString(36).slice(2);
    window.sessionStorage.setItem(key, id);
  }
  return id;
}"""
_NEW_SESSION_JS = _SESSION_JS.replace("let id = window.sessionStorage.getItem(key);",
                                      "let id = null;")


def build_app(agent: Agent, k: int | None = None) -> gr.Blocks:
    """The app over `agent`; `k` card slots (default: the agent's list length)."""
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # read when gradio is imported
    try:
        import gradio as gr
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError("the UI needs gradio: pip install 'convrec[ui]'") from exc
    return _Layout(gr, agent, k or agent.k).blocks


class _Layout:
    """Builds the components and wires their events; one instance per app, not per user (per-tab
    values live in `gr.State` and in the browser)."""

    def __init__(self, gr, agent: Agent, k: int) -> None:
        self.gr, self.agent, self.k = gr, agent, k
        with gr.Blocks(title="convrec") as self.blocks:
            self._components()
            self._events()

    def _components(self) -> None:
        gr = self.gr
        # A hidden textbox, not gr.State: the browser's script must be able to set it.
        self.session = gr.Textbox("", visible=False, elem_id="session")
        self.cards_state = gr.State([])  # list[Recommendation] on screen, in order
        gr.Markdown("## convrec: tell me what you like, I'll find movies")
        with gr.Row():
            with gr.Column(scale=3):
                self.chat = gr.Chatbot(value=[{"role": "assistant", "content": GREETING}],
                                       elem_id="chat", height=480, label="Conversation")
                self.status = gr.Markdown("", elem_id="status")
                with gr.Row():
                    self.box = gr.Textbox(placeholder="e.g. I loved Alien and Aliens, nothing too "
                                          "gory", show_label=False, scale=5, elem_id="message")
                    self.send = gr.Button("Send", variant="primary", scale=1, elem_id="send")
                with gr.Row():
                    self.diversity = gr.Slider(0.0, 1.0, value=0.0, step=0.1, elem_id="diversity",
                                               label="Relevance ← → diversity")
                    self.new = gr.Button("New conversation", elem_id="new-conversation")
            with gr.Column(scale=2, elem_id="cards"):
                gr.Markdown("### Recommendations")
                self.slots = [self._slot(i) for i in range(self.k)]

    def _slot(self, i: int) -> dict:
        gr = self.gr
        with gr.Column(visible=False, elem_classes="card", elem_id=f"card-{i}") as column:
            body = gr.HTML(elem_id=f"card-{i}-body")
            with gr.Row():
                buttons = {reaction: gr.Button(label, size="sm", min_width=60,
                                               elem_id=f"card-{i}-{reaction}")
                           for reaction, label in BUTTON_LABELS.items()}
        return {"column": column, "body": body, "buttons": buttons}

    # -- events ---------------------------------------------------------------------------------

    def _events(self) -> None:
        view = self._view_outputs()
        self.blocks.load(self._restore, [self.session], [self.session, self.diversity, *view],
                         js=_SESSION_JS)
        self.new.click(self._restore, [self.session], [self.session, self.diversity, *view],
                       js=_NEW_SESSION_JS)
        for trigger in (self.box.submit, self.send.click):
            trigger(self._send, [self.box, self.chat, self.cards_state, self.session],
                    [self.box, *view])
        self.diversity.release(self._set_diversity, [self.diversity, self.session], [self.status])
        for i, slot in enumerate(self.slots):
            for reaction, button in slot["buttons"].items():
                button.click(self._press(i, reaction), [self.chat, self.cards_state, self.session],
                             view)

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

    def _restore(self, session: str):
        """Load (or a fresh) conversation of this tab; the browser supplies `session`."""
        messages, cards, diversity = restore(self.agent.history(session), self.agent.items())
        chat = [{"role": "assistant", "content": GREETING}, *messages]
        return [session, diversity, *self._view(chat, "", cards)]

    def _send(self, message: str, chat: list[dict], cards: list, session: str) -> Iterator[list]:
        """Streams one answer: the cards as soon as they are ranked, then the growing reply."""
        chat = list(chat or [])
        stream = self.agent.reply_stream(session, message)
        try:
            turn = next(stream, None)  # validation and ranking happen here
        except InvalidMessage as exc:
            yield ["", *self._view(chat, f"**Note:** {_sentence(str(exc))}", _cards(cards))]
            return
        chat.append({"role": "user", "content": message.strip()})
        chat.append({"role": "assistant", "content": ""})
        while turn is not None:
            chat[-1] = {"role": "assistant", "content": turn.reply}
            cards = turn.items or _cards(cards)
            yield ["", *self._view(chat, _status(turn), cards)]
            turn = next(stream, None)

    def _press(self, slot: int, reaction: str):
        def press(chat: list[dict], cards: list, session: str) -> list:
            cards = _cards(cards)
            if slot >= len(cards):
                return self._view(chat, "That card is gone; here are the current picks.", cards)
            item_id = cards[slot].id
            try:
                turn = self.agent.feedback(session, item_id, reaction)
            except InvalidFeedback:
                return self._view(chat, "That movie is no longer in the catalog.", cards)
            event = Event(kind="feedback", item_id=item_id, reaction=reaction)
            chat = [*chat, {"role": "user", "content": user_line(event, self.agent.items())},
                    {"role": "assistant", "content": turn.reply}]
            return self._view(chat, _status(turn), turn.items or cards)

        return press

    def _set_diversity(self, value: float, session: str) -> str:
        try:
            self.agent.set_diversity(session, float(value))
        except (InvalidSetting, TypeError, ValueError) as exc:
            return f"**Note:** {_sentence(str(exc))}"
        return f"Diversity set to {float(value):.1f}: it applies to the next picks."


def _cards(values: list) -> list[Recommendation]:
    """Cards from `gr.State`, which may hold models or (after a round trip) plain dicts."""
    return [v if isinstance(v, Recommendation) else Recommendation.model_validate(v)
            for v in values or []]


def _status(turn: Turn) -> str:
    if not turn.error:
        return ""
    if turn.items:
        return ("**Note:** the language model is unavailable, so this reply uses a template; "
                f"the picks are unaffected. ({turn.error[:200]})")
    return ("**Error:** something went wrong on my side; your conversation is kept. "
            f"({turn.error[:200]})")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def launch(agent: Agent, host: str = "127.0.0.1", port: int = 7860, block: bool = True):
    """Start the app on `host:port` (127.0.0.1 by default: only this machine can reach it).

    Returns:
        The running `gr.Blocks` (call `.close()` to stop it) once `block` is False.
    """
    app = build_app(agent)
    app.queue(default_concurrency_limit=4)
    app.launch(server_name=host, server_port=port, share=False, css=CSS,
               prevent_thread_lock=not block, footer_links=[], quiet=not block)
    return app
