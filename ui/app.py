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
from agent.domain import MOVIES, CatalogProfile
from agent.schema import Event, Recommendation, Turn
from ui.cards import CSS, card_html, cover_url
from ui.compact import compact_reply, picks_hint
from ui.escape import literal
from ui.session_token import SessionTokens
from ui.shortlist import Downloads, shortlist_text
from ui.transcript import BUTTON_LABELS, chat_message, restore, user_line

if TYPE_CHECKING:
    import gradio as gr

    from agent.agent import Agent

log = logging.getLogger(__name__)


def greeting(profile: CatalogProfile) -> str:
    """The agent's first words, in the catalog's own nouns ("books")."""
    return (
        f"What kind of {profile.plural} do you enjoy? "
        f"Naming a {profile.noun} you loved helps me most."
    )


GREETING = greeting(MOVIES)


def _example(profile: CatalogProfile) -> str:
    """A first message to show in the empty box, in the catalog's terms."""
    if profile.movies:
        return "e.g. I loved Alien and Aliens, nothing too gory"
    return f"e.g. name a {profile.noun} you loved and what you are in the mood for"


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
# Gradio buttons take no aria-label: this names each card button after its card's title, so a
# screen reader hears "Like Alien (1979)", not "Like" five times. Re-run on every DOM change.
_BUTTON_NAMES_JS = """() => {
  const name = () => document.querySelectorAll('[id^=card-][id$=-body]').forEach(body => {
    const title = body.querySelector('.card-title');
    const slot = body.id.slice(0, -'-body'.length);
    document.querySelectorAll(`[id^=${slot}-]`).forEach(button => {
      if (button.tagName !== 'BUTTON') return;
      const label = `${button.textContent.trim()} ${title ? title.textContent.trim() : ''}`.trim();
      if (button.getAttribute('aria-label') !== label) button.setAttribute('aria-label', label);
    });
  });
  new MutationObserver(name).observe(document.body, {subtree: true, childList: true, characterData: true});
  name();
}"""


def build_app(
    agent: Agent,
    k: int | None = None,
    tokens: SessionTokens | None = None,
    covers: bool = False,
) -> gr.Blocks:
    """The app over `agent`.

    Args:
        agent: answers the messages and keeps the sessions.
        k: card slots (default: the agent's list length).
        tokens: signs the session ids handed to browsers (default: a key for this process only,
            so tabs start afresh when the app restarts).
        covers: show the catalog's cover images (its `image_url` attribute). Off by default:
            they load from a third-party host, which then sees each user's picks.
    """
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # read when gradio is imported
    try:
        import gradio as gr
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError("the UI needs gradio: pip install 'convrec[ui]'") from exc
    tokens = tokens or SessionTokens.ephemeral()
    return _Layout(gr, agent, k or agent.k, tokens, covers).blocks


class _Layout:
    """Builds the components and wires their events; one instance per app, not per user (per-tab
    values live in `gr.State` and in the browser)."""

    def __init__(
        self, gr, agent: Agent, k: int, tokens: SessionTokens, covers: bool = False
    ) -> None:
        self.gr, self.agent, self.k, self.tokens = gr, agent, k, tokens
        self.covers, self.downloads = covers, Downloads()
        self.stopping: set[str] = set()  # sessions whose streaming reply Stop should end
        with gr.Blocks(title="convrec") as self.blocks:
            self._components()
            self._events()

    def _components(self) -> None:
        gr = self.gr
        # The tab's session token. A hidden textbox, not gr.State: the browser's script sets it.
        self.session = gr.Textbox("", visible=False, elem_id="session")
        self.cards_state = gr.State([])  # list[Recommendation] on screen, in order
        # The message being answered, moved out of the box at once so that what the user types
        # next is never overwritten; and whether a reply is streaming (a second Send then is
        # refused with a note and its text stays in the box).
        self.pending = gr.Textbox("", visible=False, elem_id="pending")  # as `/_send` takes it
        self.streaming = gr.State(False)
        gr.Markdown(f"## convrec: tell me what you like, I'll find {self.agent.profile.plural}")
        with gr.Row():
            with gr.Column(scale=3):
                # Messages arrive escaped (`chat_message`); LaTeX and custom tags are off too,
                # as KaTeX would render `$$` found in the escaped text.
                self.chat = gr.Chatbot(
                    value=[chat_message("assistant", greeting(self.agent.profile))],
                    elem_id="chat",
                    height=480,
                    label="Conversation",
                    latex_delimiters=[],
                    allow_tags=False,
                    # No share icon (it did nothing). The clear icon cannot be removed in this
                    # Gradio: it asks, like "New conversation" (see `_events`).
                    buttons=["copy_all"],
                    feedback_options=None,
                )
                # On a phone the cards are below the chat: this says they exist, and links there.
                self.hint = gr.HTML("", elem_id="picks-hint")
                self.status = gr.Markdown("", elem_id="status", latex_delimiters=[])
                # Disabled until `_restore` has given the tab its token.
                with gr.Row():
                    self.box = gr.Textbox(
                        placeholder=_example(self.agent.profile),
                        label="Message",  # the accessible name; shown visually by the placeholder
                        show_label=False,
                        scale=5,
                        elem_id="message",
                        interactive=False,
                    )
                    self.send = gr.Button(
                        "Send", variant="primary", scale=1, elem_id="send", interactive=False
                    )
                    self.stop = gr.Button(
                        "Stop", variant="stop", scale=1, elem_id="stop", visible=False
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
                # "New conversation" asks first: it clears the chat, the picks and the undo steps.
                with gr.Row(visible=False, elem_id="confirm-new") as self.confirm:
                    gr.Markdown("Start over? The chat, the picks and the undo steps are cleared.")
                    self.confirm_yes = gr.Button(
                        "Start over", variant="stop", elem_id="confirm-new-yes"
                    )
                    self.confirm_no = gr.Button("Keep this conversation", elem_id="confirm-new-no")
            with gr.Column(scale=2, elem_id="cards"):
                gr.Markdown("### Recommendations")
                self.slots = [self._slot(i) for i in range(self.k)]
                # What the user liked, to copy or download: the point of the conversation.
                with gr.Accordion("Your shortlist", open=False, elem_id="shortlist-box"):
                    self.shortlist = gr.Textbox(
                        "",
                        label="Liked so far (press Like on a card)",
                        elem_id="shortlist",
                        interactive=False,
                        lines=3,
                        buttons=["copy"],
                    )
                    self.download = gr.DownloadButton(
                        "Download shortlist", elem_id="shortlist-download", visible=False
                    )

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
        gr = self.gr
        # "New conversation" and the chat's clear icon both ask first. The icon has already
        # emptied the chat in the browser: "Keep this conversation" brings it back from the agent.
        self.new.click(lambda: gr.Row(visible=True), None, [self.confirm], queue=False)
        self.chat.clear(lambda: gr.Row(visible=True), None, [self.confirm], queue=False)
        self.confirm_no.click(lambda: gr.Row(visible=False), None, [self.confirm], queue=False)
        for opened in (
            self.blocks.load(self._restore, [self.session], restored, js=_STORED_TOKEN_JS),
            self.confirm_no.click(self._restore, [self.session], restored, js=_STORED_TOKEN_JS),
            self.confirm_yes.click(self._restore, [self.session], restored, js=_NO_TOKEN_JS),
        ):
            opened.then(None, [self.session], None, js=_KEEP_TOKEN_JS)
        self.confirm_yes.click(lambda: gr.Row(visible=False), None, [self.confirm], queue=False)
        sending = [self.box, self.pending, self.streaming, self.status, self.send, self.stop]
        for trigger in (self.box.submit, self.send.click):
            # `trigger_mode="always_last"`: a Send pressed while one runs is not dropped silently.
            taken = trigger(
                self._take,
                [self.box, self.streaming],
                sending,
                queue=False,
                trigger_mode="always_last",
            )
            taken.then(
                self._send,
                [self.pending, self.chat, self.cards_state, self.session],
                [self.box, *view, self.streaming, self.send, self.stop],
            )
        # Stop asks the running `_send` to end at its next piece (a checked sentence). Not
        # Gradio's `cancels`: that leaves the agent's stream open, its session locked.
        self.stop.click(self._stop, [self.session], [self.stop, self.status], queue=False)
        # `input`, not `release`: a slider moved with the arrow keys has no release.
        self.diversity.input(
            self._set_diversity,
            [self.diversity, self.session],
            [self.status],
            trigger_mode="always_last",
        )
        self.undo.click(self._undo, [self.chat, self.cards_state, self.session], view)
        for i, slot in enumerate(self.slots):
            for reaction, button in slot["buttons"].items():
                button.click(
                    self._press(i, reaction), [self.chat, self.cards_state, self.session], view
                )

    def _view_outputs(self) -> list:
        columns = [slot["column"] for slot in self.slots]
        bodies = [slot["body"] for slot in self.slots]
        lists = [self.hint, self.shortlist, self.download]
        return [self.chat, self.status, self.cards_state, *columns, *bodies, *lists]

    def _view(
        self,
        chat: list[dict],
        status: str,
        cards: list[Recommendation],
        liked: list[str] | None = None,
    ) -> list:
        """Values for `_view_outputs`: the chat, the status line, the card slots, the hint that
        points to them and (when `liked` is given; else unchanged) the shortlist."""
        gr = self.gr
        shown = cards[: self.k]
        columns = [gr.Column(visible=i < len(shown)) for i in range(self.k)]
        bodies = [card_html(shown[i], self._cover(shown[i])) for i in range(len(shown))]
        bodies += [""] * (self.k - len(shown))
        lists = [picks_hint(len(shown), self.agent.profile.plural), gr.skip(), gr.skip()]
        if liked is not None:
            text = shortlist_text(liked, self.agent.items())
            path = self.downloads.write(text) if text else None
            lists[1:] = [text, gr.DownloadButton(value=path, visible=bool(text))]
        return [chat, status, shown, *columns, *bodies, *lists]

    def _cover(self, rec: Recommendation) -> str | None:
        """The item's cover URL, only when covers are switched on (they load from a third-party
        host, which then learns what this user is shown)."""
        if not self.covers:
            return None
        item = self.agent.items().get(rec.id)
        return cover_url(item.attributes.get("image_url")) if item is not None else None

    def _restore(self, token: str):
        """This tab's conversation (from the token the browser kept), or a fresh one with a new
        token when the tab has none or its token is not one this app signed."""
        session = self.tokens.session_of(token)
        if session is None:
            token = self.tokens.issue()
            session = self.tokens.session_of(token)
        history = self.agent.history(session)
        messages, cards, diversity = restore(history, self.agent.items())
        liked = history[-1][1].state.liked_items if history else []
        chat = [chat_message("assistant", greeting(self.agent.profile)), *messages]
        gr = self.gr
        enabled = [
            gr.Slider(value=diversity, interactive=True),
            gr.Textbox(interactive=True),
            gr.Button(interactive=True),
        ]
        return [token, *enabled, *self._view(chat, "", cards, liked)]

    def _take(self, message: str, streaming: bool) -> list:
        """Moves the message out of the box (so text typed during the reply is never overwritten),
        or, while a reply streams, leaves it in the box with a note saying why."""
        gr = self.gr
        if streaming:
            busy = "**Note:** still answering your last message; yours stays in the box: send it when the reply is done (or press Stop)."
            return [gr.skip(), "", True, busy, gr.skip(), gr.skip()]
        if not (message or "").strip():
            return [gr.skip(), message, False, "", gr.skip(), gr.skip()]  # the agent's note
        return ["", message, True, "", gr.Button(visible=False), gr.Button(visible=True)]

    def _idle(self) -> list:
        """`streaming`, Send, Stop once a reply has ended (or never started)."""
        gr = self.gr
        return [False, gr.Button(visible=True), gr.Button(visible=False)]

    def _stop(self, token: str) -> list:
        session = self.tokens.session_of(token)
        if session is not None:
            self.stopping.add(session)
        stopped = "Stopped. The picks so far are kept; send a message to go on."
        return [self.gr.Button(visible=False), stopped]

    def _send(self, message: str, chat: list[dict], cards: list, token: str) -> Iterator[list]:
        """Streams one answer: the cards as soon as they are ranked, then the growing reply.
        Only the agent's yields are shown, and the agent yields only checked text. The box is
        left alone (`skip`) unless the message is refused: then it goes back into the box.
        Outputs: the box, the view, then `streaming`, Send and Stop (reset by the last yield)."""
        gr = self.gr
        chat = list(chat or [])
        running = [gr.skip()] * 3  # `streaming`, Send and Stop as `_take` left them
        if not message:  # refused by `_take` (another reply is streaming): change nothing
            yield [gr.skip(), *[gr.skip()] * len(self._view_outputs()), *running]
            return
        session = self.tokens.session_of(token)
        if session is None:  # the message goes back into the box
            yield [message, *self._view(chat, UNKNOWN_SESSION, _cards(cards)), *self._idle()]
            return
        self.stopping.discard(session)  # a Stop pressed after the last reply ended
        stream = self.agent.reply_stream(session, message)
        try:
            turn = next(stream, None)  # validation and ranking happen here
        except InvalidMessage as exc:  # e.g. too long: kept in the box to be shortened
            yield [message, *self._view(chat, _note(str(exc)), _cards(cards)), *self._idle()]
            return
        except SessionBusy:
            busy = (
                "**Note:** the previous action is still running; your message is back in the box."
            )
            yield [message, *self._view(chat, busy, _cards(cards)), *self._idle()]
            return
        chat.append(chat_message("user", message.strip()))
        chat.append(chat_message("assistant", ""))
        view = self._view(chat, "", _cards(cards))
        try:
            while turn is not None:
                shown = turn.items if turn.items or turn.action == "undo" else _cards(cards)
                chat[-1] = chat_message("assistant", compact_reply(turn.reply, turn.items))
                status = "Stopped." if session in self.stopping else _status(turn)
                view = self._view(chat, status, shown, turn.state.liked_items)
                yield [gr.skip(), *view, *running]
                if session in self.stopping:
                    break
                turn = next(stream, None)
        except Exception as exc:  # the tab must not stay "still answering" for good
            log.exception("reply stream failed")
            error = f"**Error:** something went wrong on my side; your conversation is kept. ({literal(str(exc)[:200])})"
            view[1] = error
        finally:  # closing the agent's stream ends the turn and unlocks the session
            self.stopping.discard(session)
            stream.close()
        yield [gr.skip(), *view, *self._idle()]

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
                gone = f"That {self.agent.profile.noun} is no longer in the catalog."
                return self._view(chat, gone, cards)
            event = Event(kind="feedback", item_id=item_id, reaction=reaction)
            chat = [
                *chat,
                chat_message("user", user_line(event, self.agent.items())),
                chat_message("assistant", compact_reply(turn.reply, turn.items)),
            ]
            return self._view(chat, _status(turn), turn.items or cards, turn.state.liked_items)

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
            chat_message("assistant", compact_reply(turn.reply, turn.items)),
        ]
        # An undo back to before any picks empties the cards; a failed one keeps them.
        shown = cards if turn.error else turn.items
        return self._view(chat, _status(turn), shown, turn.state.liked_items)

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
    covers: bool = False,
):
    """Start the app on `host:port` (127.0.0.1 by default: only this machine can reach it).

    Args:
        secret_file: the key that signs session tokens (created, mode 0600, if missing), so
            tabs reopen their conversations after a restart; None: a key for this process only.
        covers: show the catalog's cover images (see `build_app`).

    Returns:
        The running `gr.Blocks` (call `.close()` to stop it) once `block` is False.
    """
    tokens = SessionTokens.from_file(secret_file) if secret_file else SessionTokens.ephemeral()
    app = build_app(agent, tokens=tokens, covers=covers)
    app.queue(default_concurrency_limit=4)
    app.launch(
        server_name=host,
        server_port=port,
        share=False,
        css=CSS,
        js=_BUTTON_NAMES_JS,
        prevent_thread_lock=not block,
        footer_links=[],
        quiet=not block,
    )
    return app


def mount(server, agent: Agent, path: str = "/ui", secret_file: Path | None = None, covers=False):
    """Serve the app under `path` of an existing FastAPI `server` (the HTTP API's), so one
    process answers both; same tokens, CSS and button names as `launch`."""
    import gradio as gr

    tokens = SessionTokens.from_file(secret_file) if secret_file else SessionTokens.ephemeral()
    blocks = build_app(agent, tokens=tokens, covers=covers)
    blocks.queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(
        server, blocks, path=path, css=CSS, js=_BUTTON_NAMES_JS, footer_links=[]
    )
