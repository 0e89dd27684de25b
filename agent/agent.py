"""The chat loop: understand the message, update the state, decide, call retrieval, explain,
write the reply, persist. Used by the CLI, the Gradio app, the Python API and evaluation."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Literal, Protocol

from agent import policy
from agent.explain import Explainer
from agent.query import build_query
from agent.schema import DialogueState, Intent, Recommendation, Turn, UserAct
from agent.session_store import SessionStore
from agent.state import StateTracker
from agent.writer import Writer, describe, format_list, lead
from retrieval.pipeline import RecommendationPipeline

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
RECENT_UTTERANCES = 6  # user messages and replies kept for the dialogue encoder
LAST_REPLY_CHARS = 500  # of the agent's reply, kept as context for reading the next message
Reaction = Literal["like", "dislike", "seen"]


class IntentModel(Protocol):
    """Proposes what the user did. Implementations: rules, prompted LLM, trained task head."""

    def propose(self, message: str, last_shown: int = 0, agent_said: str = "") -> UserAct:
        """`last_shown`: items in the latest list; `agent_said`: the agent's previous reply."""
        ...


class InvalidMessage(ValueError):
    """The user's message cannot be processed as given (empty, too long)."""


class Agent:
    def __init__(
        self,
        pipeline: RecommendationPipeline,
        intent_model: IntentModel,
        tracker: StateTracker,
        writer: Writer,
        store: SessionStore,
        fallback_intent: IntentModel | None = None,
        k: int = 5,
    ) -> None:
        self.pipeline = pipeline
        self.intent_model = intent_model
        self.fallback_intent = fallback_intent  # rules, when a learned model fails
        self.tracker = tracker
        self.writer = writer
        self.store = store
        self.index = pipeline.retriever.index
        self.explainer = Explainer(self.index, pipeline.retriever.vectors,
                                   pipeline.ranker.collaborative)
        self.k = k

    def reply(self, session_id: str, message: str) -> Turn:
        """Answer one user message in a session (created on first use) and save the result.

        Raises:
            InvalidMessage: the message is empty or longer than MAX_MESSAGE_CHARS.
        """
        turn = None
        for turn in self.reply_stream(session_id, message):
            pass
        return turn

    def reply_stream(self, session_id: str, message: str) -> Iterator[Turn]:
        """Like `reply`, but yields the turn as it grows: first with the recommendations and
        reasons (ready before any text generation), then once per generated piece of the
        opening sentence. The last turn yielded is the final one, and it is saved."""
        message = _validated(message)
        yield from self._run(session_id, message, lambda state: self._understand(message, state))

    def _run(self, session_id: str, message: str, understand, intro: bool = True) -> Iterator[Turn]:
        state = self.store.load(session_id) or DialogueState()
        self.tracker.linker.sync(self.index.items())  # items added meanwhile
        started = time.perf_counter()
        try:
            act = understand(state)
            understood = time.perf_counter()
            turn = self._respond(session_id, act, state, message)
            turn.timings_ms["understand"] = 1000 * (understood - started)
            if turn.action == "recommend":
                if intro:
                    yield from self._write_intro(message, turn)
                else:
                    turn.reply = f"Noted. Here are fresh picks:\n{turn.reply}"
        except Exception as exc:  # the session must survive any bug: keep the old state
            log.exception("turn failed in session %s", session_id)
            yield Turn(
                session_id=session_id, action="acknowledge", intent=Intent.CHITCHAT, state=state,
                reply="Sorry, something went wrong on my side; your conversation is kept. "
                "Please try again.", error=f"{type(exc).__name__}: {exc}",
            )
            return
        turn.timings_ms["total"] = 1000 * (time.perf_counter() - started)
        turn.state.last_reply = turn.reply[-LAST_REPLY_CHARS:]  # context for the next message
        turn.state.recent = (turn.state.recent + [turn.reply])[-RECENT_UTTERANCES:]
        self.store.save(session_id, message, turn)
        yield turn

    def _write_intro(self, message: str, turn: Turn) -> Iterator[Turn]:
        body = turn.reply
        yield turn.model_copy(deep=True)
        started, text = time.perf_counter(), ""
        for piece in self.writer.stream_intro(message, turn.items):
            text += piece
            yield turn.model_copy(update={"reply": f"{text}\n{body}"})
        turn.timings_ms["generation"] = 1000 * (time.perf_counter() - started)
        turn.error = self.writer.last_error
        titles = {i: it.display_title for i, it in self._items_by_id(turn.state.liked_items[-2:])}
        opening = lead(turn.state, titles, len(turn.items))
        turn.reply = f"{self.writer.finish_intro(text, turn.items, opening)}\n{body}"

    def _items_by_id(self, ids: list[str]):
        items = self.index.items()
        return [(i, items[i]) for i in ids if i in items]

    def warm_up(self) -> None:
        """Load the models now rather than on the first message (chat UIs call this at start)."""
        self.index.embedder.embed(["warm up"])
        self.index.items()
        if self.pipeline.ranker.reranker is not None:
            self.pipeline.ranker.reranker.score("warm up", list(self.index.items().values())[:1])
        self.writer.warm_up()

    def feedback(self, session_id: str, item_id: str, reaction: Reaction) -> Turn:
        """A button press on a recommended item: like, not for me, seen it. Returns fresh
        recommendations that take it into account (no generated text: it must be instant)."""
        item = self.index.items().get(item_id)
        if item is None:
            raise KeyError(f"unknown item id {item_id!r}")
        field = {"like": "liked_titles", "dislike": "disliked_titles", "seen": "seen_titles"}[reaction]
        intent = {"like": Intent.CRITIQUE, "dislike": Intent.REJECT, "seen": Intent.SEEN}[reaction]
        act = UserAct(intent=intent, **{field: [item.display_title]})
        turn = None
        for turn in self._run(session_id, f"[{reaction}] {item.display_title}", lambda _: act, intro=False):
            pass
        return turn

    def set_diversity(self, session_id: str, diversity: float) -> DialogueState:
        state = self.store.load(session_id) or DialogueState()
        state.diversity = diversity
        turn = Turn(session_id=session_id, reply="", action="acknowledge", intent=Intent.CHITCHAT,
                    state=state)
        self.store.save(session_id, f"[diversity] {diversity}", turn)
        return state

    def _understand(self, message: str, state: DialogueState) -> UserAct:
        try:
            return self.intent_model.propose(message, len(state.last_shown), state.last_reply)
        except Exception:
            if self.fallback_intent is None:
                raise
            log.exception("intent model failed; using the rule-based fallback")
            return self.fallback_intent.propose(message, len(state.last_shown), state.last_reply)

    def _respond(self, session_id: str, act: UserAct, state: DialogueState, message: str) -> Turn:
        new_state, referents = self.tracker.apply(state, act)
        new_state.recent = (state.recent + [message])[-RECENT_UTTERANCES:]  # the retriever reads it
        action = policy.decide(act, new_state, referents)
        turn = Turn(session_id=session_id, reply="", action=action, intent=act.intent, state=new_state)
        if action == "recommend":
            self._recommend(turn)
        elif action == "answer":
            turn.reply = describe(self.index.items()[referents[0]])
        elif action == "acknowledge":
            turn.reply = "Great choice, enjoy! " + policy.QUESTIONS["refine"]
        elif action == "goodbye":
            turn.reply = "Enjoy your movies! Come back any time for more."
        else:
            turn.reply = policy.next_question(new_state)
        return turn

    def _recommend(self, turn: Turn) -> None:
        ranked = self.pipeline.recommend(build_query(turn.state, self.k))
        turn.timings_ms.update(ranked.timings_ms)
        if not ranked.candidates:
            turn.action = "ask"
            turn.reply = ("I couldn't find anything new that fits all of that. "
                          "Could you relax a constraint (a genre, the years)?")
            return
        reasons = self.explainer.reasons(ranked.candidates, turn.state)
        turn.items = [
            Recommendation(id=c.item.id, title=c.item.title, year=c.item.year,
                           genres=c.item.genres, description=c.item.text[:300],
                           score=round(c.score, 4), reason=reason)
            for c, reason in zip(ranked.candidates, reasons, strict=True)
        ]
        ids = [r.id for r in turn.items]
        turn.state.shown_items += [i for i in ids if i not in turn.state.shown_items]
        turn.state.last_shown = ids
        turn.reply = f"{format_list(turn.items)}\n{policy.QUESTIONS['refine']}"


def _validated(message: str) -> str:
    text = (message or "").strip()
    if not text:
        raise InvalidMessage("the message is empty: tell me about a movie or a genre you like")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidMessage(
            f"the message is {len(text)} characters long; the limit is {MAX_MESSAGE_CHARS}"
        )
    return text
