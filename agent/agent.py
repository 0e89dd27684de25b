"""The chat loop: understand the message, update the state, decide, call retrieval, explain,
write the reply, persist. Used by the CLI, the Gradio app, the Python API and evaluation.

A turn is planned (`_Plan`: the action, the picks and the grounded text), optionally opened by
the language model, and then finished in one place (`_finish`), which builds the `Turn`, folds
the exchange into the state and saves both.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, get_args

from agent import policy
from agent.explain import Explainer
from agent.query import build_query
from agent.schema import (
    Action,
    DialogueState,
    Event,
    Intent,
    Reaction,
    Recommendation,
    Turn,
    UserAct,
)
from agent.session_store import SessionStore
from agent.state import StateTracker
from agent.writer import Writer, describe, format_list, lead
from retrieval.entity_linker import EntityLinker
from retrieval.pipeline import RecommendationPipeline
from retrieval.schema import Item

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
RECENT_UTTERANCES = 6  # user messages and replies kept for the dialogue encoder
LAST_REPLY_CHARS = 500  # of the agent's reply, kept as context for reading the next message
_REACTIONS = {  # a button press, as the act it stands for
    "like": (Intent.CRITIQUE, "liked_items"),
    "dislike": (Intent.REJECT, "disliked_items"),
    "seen": (Intent.SEEN, "seen_items"),
}


class IntentModel(Protocol):
    """Proposes what the user did. Implementations: rules, prompted LLM, trained task head."""

    def propose(self, message: str, last_shown: int = 0, agent_said: str = "") -> UserAct:
        """`last_shown`: items in the latest list; `agent_said`: the agent's previous reply."""
        ...


class InvalidMessage(ValueError):
    """The user's message cannot be processed as given (empty, too long)."""


class InvalidFeedback(ValueError):
    """A button press that names no known item or no known reaction."""


class InvalidSetting(ValueError):
    """A setting value out of its range."""


@dataclass
class _Plan:
    """What the agent decided to answer, before any generated text."""

    action: Action
    intent: Intent
    state: DialogueState  # after the message, before the exchange is appended to `recent`
    text: str  # the grounded part of the reply: the list and a question, an answer, ...
    items: list[Recommendation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)


class Agent:
    def __init__(
        self,
        pipeline: RecommendationPipeline,
        intent_model: IntentModel,
        tracker: StateTracker,
        writer: Writer,
        store: SessionStore,
        linker: EntityLinker,
        fallback_intent: IntentModel | None = None,
        k: int = 5,
    ) -> None:
        self.pipeline = pipeline
        self.intent_model = intent_model
        self.fallback_intent = fallback_intent  # rules, when a learned model fails
        self.tracker = tracker
        self.writer = writer
        self.store = store
        self.linker = linker  # shared with the rules and the writer; learns items added later
        self.explainer = Explainer(pipeline.context)  # reads what the ranker read
        self.k = k

    def with_pipeline(self, pipeline: RecommendationPipeline) -> Agent:
        """The same agent recommending (and explaining) with another pipeline."""
        return Agent(pipeline, self.intent_model, self.tracker, self.writer, self.store,
                     self.linker, self.fallback_intent, self.k)

    def items(self) -> dict[str, Item]:
        """The catalog, by id."""
        return self.pipeline.context.memory.items()

    def history(self, session_id: str) -> list[tuple[Event, Turn]]:
        """What happened in a session, oldest first (empty for an unknown session)."""
        return self.store.history(session_id)

    def state(self, session_id: str) -> DialogueState:
        """The session's current state (a fresh one for an unknown session)."""
        return self.store.load(session_id) or DialogueState()

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
        event = Event(kind="message", text=message)
        yield from self._run(session_id, event, lambda state: self._understand(message, state))

    def feedback(self, session_id: str, item_id: str, reaction: Reaction) -> Turn:
        """A button press on a recommended item: like, not for me, seen it. Returns fresh
        recommendations that take it into account (no generated text: it must be instant).

        Raises:
            InvalidFeedback: unknown reaction or item id.
        """
        if reaction not in _REACTIONS:
            raise InvalidFeedback(f"unknown reaction {reaction!r}: use one of {get_args(Reaction)}")
        if item_id not in self.items():
            raise InvalidFeedback(f"unknown item id {item_id!r}")
        intent, slot = _REACTIONS[reaction]
        act = UserAct(intent=intent, **{slot: [item_id]})  # the id itself: no title round trip
        event = Event(kind="feedback", item_id=item_id, reaction=reaction)
        turn = None
        for turn in self._run(session_id, event, lambda _: act, intro=False):
            pass
        return turn

    def set_diversity(self, session_id: str, diversity: float) -> DialogueState:
        """Store the session's relevance/diversity trade-off (0 to 1); the next picks use it.

        Raises:
            InvalidSetting: not a number between 0 and 1.
        """
        if not isinstance(diversity, (int, float)) or not math.isfinite(diversity) or not (
            0.0 <= diversity <= 1.0
        ):
            raise InvalidSetting(f"diversity must be a number from 0 to 1, not {diversity!r}")
        state = self.state(session_id)
        state.diversity = float(diversity)
        turn = Turn(session_id=session_id, reply="", action="acknowledge", intent=Intent.CHITCHAT,
                    state=state)
        self.store.save(session_id, Event(kind="setting", setting="diversity",
                                          value=float(diversity)), turn)
        return state

    def warm_up(self) -> None:
        """Load the models now rather than on the first message (chat UIs call this at start)."""
        context = self.pipeline.context
        context.index.embedder.embed(["warm up"])
        items = self.items()
        if self.pipeline.ranker.reranker is not None:
            self.pipeline.ranker.reranker.score("warm up", list(items.values())[:1])
        self.writer.warm_up()

    # -- one turn -------------------------------------------------------------------------------

    def _run(
        self, session_id: str, event: Event, understand: Callable[[DialogueState], UserAct],
        intro: bool = True,
    ) -> Iterator[Turn]:
        state = self.state(session_id)
        self.linker.sync(self.items())  # items added meanwhile can be named at once
        started = time.perf_counter()
        try:
            act = understand(state)
            understood = time.perf_counter()
            plan = self._plan(act, state, event.text)
            plan.timings_ms["understand"] = 1000 * (understood - started)
            opening, error = "", None
            if plan.action == "recommend" and intro:
                for opening, error in self._write_intro(event.text, plan):
                    yield self._preview(session_id, plan, opening)
            elif plan.action == "recommend":
                opening = "Noted. Here are fresh picks:"
        except Exception as exc:  # the session must survive any bug: keep the old state
            log.exception("turn failed in session %s", session_id)
            yield Turn(
                session_id=session_id, action="acknowledge", intent=Intent.CHITCHAT, state=state,
                reply="Sorry, something went wrong on my side; your conversation is kept. "
                "Please try again.", error=f"{type(exc).__name__}: {exc}",
            )
            return
        plan.timings_ms["total"] = 1000 * (time.perf_counter() - started)
        yield self._finish(session_id, event, plan, opening, error)

    def _finish(
        self, session_id: str, event: Event, plan: _Plan, opening: str, error: str | None
    ) -> Turn:
        """The one place a turn is made final: reply text, state bookkeeping, saving."""
        turn = self._preview(session_id, plan, opening)
        turn.error = error
        said = [event.text] if event.kind == "message" else []
        turn.state.recent = (turn.state.recent + said + [turn.reply])[-RECENT_UTTERANCES:]
        turn.state.last_reply = turn.reply[-LAST_REPLY_CHARS:]  # context for the next message
        self.store.save(session_id, event, turn)
        return turn

    @staticmethod
    def _preview(session_id: str, plan: _Plan, opening: str) -> Turn:
        """The turn as the user sees it while the opening is written."""
        reply = f"{opening}\n{plan.text}" if opening else plan.text
        return Turn(session_id=session_id, reply=reply, action=plan.action, intent=plan.intent,
                    items=list(plan.items), state=plan.state.model_copy(deep=True),
                    timings_ms=dict(plan.timings_ms))

    def _write_intro(self, message: str, plan: _Plan) -> Iterator[tuple[str, str | None]]:
        """(opening so far, error) while the model writes; last: the checked opening."""
        yield "", None  # the picks are shown before any text is generated
        started, draft_text, error = time.perf_counter(), "", None
        for draft in self.writer.stream_intro(message, plan.items):
            draft_text, error = draft.text, draft.error
            yield draft_text, error
        plan.timings_ms["generation"] = 1000 * (time.perf_counter() - started)
        titles = {i: item.display_title for i, item in self._items_by_id(plan.state.liked_items[-2:])}
        opening = lead(plan.state, titles, len(plan.items))
        yield self.writer.finish_intro(draft_text, plan.items, opening), error

    def _items_by_id(self, ids: list[str]) -> list[tuple[str, Item]]:
        items = self.items()
        return [(i, items[i]) for i in ids if i in items]

    def _understand(self, message: str, state: DialogueState) -> UserAct:
        try:
            return self.intent_model.propose(message, len(state.last_shown), state.last_reply)
        except Exception:
            if self.fallback_intent is None:
                raise
            log.exception("intent model failed; using the rule-based fallback")
            return self.fallback_intent.propose(message, len(state.last_shown), state.last_reply)

    def _plan(self, act: UserAct, state: DialogueState, message: str) -> _Plan:
        new_state, referents = self.tracker.apply(state, act)
        action = policy.decide(act, new_state, referents)
        plan = _Plan(action=action, intent=act.intent, state=new_state, text="")
        if action == "recommend":
            # The retriever reads the dialogue including this message.
            dialogue = (state.recent + [message])[-RECENT_UTTERANCES:] if message else None
            return self._recommend(plan, dialogue)
        if action == "answer":
            plan.text = describe(self.items()[referents[0]])
        elif action == "acknowledge":
            plan.text = "Great choice, enjoy! " + policy.QUESTIONS["refine"]
        elif action == "goodbye":
            plan.text = "Enjoy your movies! Come back any time for more."
        else:
            plan.text = policy.next_question(new_state)
        return plan

    def _recommend(self, plan: _Plan, dialogue: list[str] | None) -> _Plan:
        ranked = self.pipeline.recommend(build_query(plan.state, self.k, dialogue))
        plan.timings_ms.update(ranked.timings_ms)
        if not ranked.candidates:
            plan.action = "ask"
            plan.text = ("I couldn't find anything new that fits all of that. "
                         "Could you relax a constraint (a genre, the years)?")
            return plan
        reasons = self.explainer.reasons(ranked.candidates, plan.state)
        plan.items = [
            Recommendation(id=c.item.id, title=c.item.title, year=c.item.year,
                           genres=c.item.genres, description=c.item.text[:300],
                           score=round(c.score, 4), reason=reason)
            for c, reason in zip(ranked.candidates, reasons, strict=True)
        ]
        ids = [r.id for r in plan.items]
        plan.state.shown_items += [i for i in ids if i not in plan.state.shown_items]
        plan.state.last_shown = ids
        plan.text = f"{format_list(plan.items)}\n{policy.QUESTIONS['refine']}"
        return plan


def _validated(message: str) -> str:
    text = (message or "").strip()
    if not text:
        raise InvalidMessage("the message is empty: tell me about a movie or a genre you like")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidMessage(
            f"the message is {len(text)} characters long; the limit is {MAX_MESSAGE_CHARS}"
        )
    return text
