"""The chat loop: understand the message, update the state, decide, call retrieval, explain,
write the reply, persist. Used by the CLI, the Gradio app, the Python API and evaluation.

A turn is planned (`_Plan`: the action, the picks and the grounded text), optionally opened by
the language model, and then finished in one place (`_finish`), which builds the `Turn`, folds
the exchange into the state and saves both.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol, get_args

from agent import policy
from agent.answer import Answerer, Question
from agent.attribute_reader import AttributeReader
from agent.correction import Correction, correct
from agent.domain import MOVIES, CatalogProfile, byline
from agent.explain import Explainer
from agent.linking_note import linking_note
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
from agent.session_locks import SessionLocks
from agent.session_store import SessionBackend, Snapshot
from agent.state import StateTracker
from agent.undo import undone, wants_undo
from agent.writer import Writer, describe, format_list, lead
from retrieval.entity_linker import EntityLinker
from retrieval.free_memory import return_free_memory
from retrieval.pipeline import RecommendationPipeline
from retrieval.schema import Item

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SESSION_ID_CHARS = 200
RECENT_UTTERANCES = 6  # user messages and replies kept for the dialogue encoder
UTTERANCE_CHARS = MAX_MESSAGE_CHARS  # of each of them: the saved state stays small
LAST_REPLY_CHARS = 500  # of the agent's reply, kept as context for reading the next message
SAVE_ATTEMPTS = 10  # a turn is recomputed when another process changed its session meanwhile
RECOVERED_NOTE = (
    "(I couldn't read the latest saved state of our conversation, so I went back "
    "to an earlier one; some of your latest choices may be missing.)"
)
# Text a message may not carry: unpaired UTF-16 surrogates (no character; they cannot even be
# saved) are refused; control characters other than tab and newline are removed.
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# State fields that change on every turn: a turn that changed only these is not undoable.
_BOOKKEEPING = {"recent", "last_reply", "turns", "diversity", "discussed"}  # not undoable
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
    """The user's message cannot be processed as given (not text, empty, too long, or holding
    an unpaired surrogate)."""


class InvalidSession(ValueError):
    """A session id that is not a printable string of at most MAX_SESSION_ID_CHARS."""


class SessionBusy(RuntimeError):
    """The session kept changing under a setting: another action on it is still running."""


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
    undone: bool = False  # `state` is the restored `Snapshot.before`: saving pops the undo stack
    writable: bool = False  # the generator may write this turn's text (`Writer.writes`)
    about: list[str] = field(default_factory=list)  # ids an answer is about (facts given)


class Agent:
    def __init__(
        self,
        pipeline: RecommendationPipeline,
        intent_model: IntentModel,
        tracker: StateTracker,
        writer: Writer,
        store: SessionBackend,
        linker: EntityLinker,
        fallback_intent: IntentModel | None = None,
        k: int = 5,
        locks: SessionLocks | None = None,
        profile: CatalogProfile = MOVIES,
    ) -> None:
        self.pipeline = pipeline
        self.intent_model = intent_model
        self.fallback_intent = fallback_intent  # rules, when a learned model fails
        self.tracker = tracker
        self.writer = writer
        self.store = store
        self.linker = linker  # shared with the rules and the writer; learns items added later
        self.profile = profile  # the catalog's item noun and people roles
        self.explainer = Explainer(pipeline.context, profile)  # reads what the ranker read
        self.answerer = Answerer(linker, profile)  # questions about items, from their fields
        self.attributes = AttributeReader(profile, linker)  # "rated above 4", "a standalone"
        self.k = k
        self.locks = locks or SessionLocks()  # shared with agents made by `with_pipeline`

    def with_pipeline(self, pipeline: RecommendationPipeline) -> Agent:
        """The same agent recommending (and explaining) with another pipeline."""
        return Agent(
            pipeline,
            self.intent_model,
            self.tracker,
            self.writer,
            self.store,
            self.linker,
            self.fallback_intent,
            self.k,
            self.locks,
            self.profile,
        )

    def items(self) -> Mapping[str, Item]:
        """The catalog, by id."""
        return self.pipeline.context.memory.items()

    def history(self, session_id: str) -> list[tuple[Event, Turn]]:
        """What happened in a session, oldest first (empty for an unknown session). The turns'
        states hold only the diversity setting of the time: `state` has the current one."""
        return self.store.history(_session_id(session_id))

    def state(self, session_id: str) -> DialogueState:
        """The session's current state (a fresh one for an unknown session; the last good one
        when the stored state is unusable)."""
        return self.store.snapshot(_session_id(session_id)).state

    def delete_session(self, session_id: str) -> bool:
        """Forget a session: its state and history. Returns whether there was one."""
        session_id = _session_id(session_id)
        with self.locks.hold(session_id) as held:
            if not held:
                raise SessionBusy(f"session {session_id!r} is busy; try again")
            return self.store.delete(session_id)

    def reply(self, session_id: str, message: str) -> Turn:
        """Answer one user message in a session (created on first use) and save the result.

        Raises:
            InvalidMessage: the message is not text, is empty, is longer than MAX_MESSAGE_CHARS
                or holds an unpaired surrogate (control characters other than tab and newline
                are removed first).
            InvalidSession: the session id is not a printable string.
        """
        turn = None
        for turn in self.reply_stream(session_id, message):
            pass
        return turn

    def reply_stream(self, session_id: str, message: str) -> Iterator[Turn]:
        """Like `reply`, but yields the turn as it grows: first with the recommendations and
        reasons (ready before any text generation), then once per generated piece of the
        opening sentence. The last turn yielded is the final one, and it is saved.

        The session is locked until the stream ends or is closed: do not start another action
        on the same session from the thread that is still reading this stream."""
        session_id = _session_id(session_id)
        message = _validated(message)
        event = Event(kind="message", text=message)
        yield from self._run(session_id, event, lambda state: self._understand(message, state))

    def feedback(self, session_id: str, item_id: str, reaction: Reaction) -> Turn:
        """A button press on a recommended item: like, not for me, seen it. Returns fresh
        recommendations that take it into account (no generated text: it must be instant).

        Raises:
            InvalidFeedback: unknown reaction or item id.
            InvalidSession: the session id is not a printable string.
        """
        session_id = _session_id(session_id)
        if not isinstance(reaction, str) or reaction not in _REACTIONS:
            raise InvalidFeedback(f"unknown reaction {reaction!r}: use one of {get_args(Reaction)}")
        if not isinstance(item_id, str) or item_id not in self.items():
            raise InvalidFeedback(f"unknown item id {item_id!r}")
        intent, slot = _REACTIONS[reaction]
        act = UserAct(intent=intent, **{slot: [item_id]})  # the id itself: no title round trip
        event = Event(kind="feedback", item_id=item_id, reaction=reaction)
        turn = None
        for turn in self._run(session_id, event, lambda _: act, intro=False):
            pass
        return turn

    def undo(self, session_id: str) -> Turn:
        """Take back the latest change to the session (a message or a button press that changed
        its state; "undo that" in a message does the same). Up to UNDO_DEPTH changes can be
        taken back one after the other; the diversity setting is not a change undo takes back.

        Returns:
            A turn saying what was undone ("Nothing to undo." when nothing was), with the picks
            that were on screen before the change (or fresh ones from the restored state).

        Raises:
            InvalidSession: the session id is not a printable string.
        """
        session_id = _session_id(session_id)
        turn = None
        for turn in self._run(
            session_id, Event(kind="undo"), lambda _: UserAct(intent=Intent.CHITCHAT), intro=False
        ):
            pass
        return turn

    def set_diversity(self, session_id: str, diversity: float) -> DialogueState:
        """Store the session's relevance/diversity trade-off (0 to 1); the next picks use it.

        Raises:
            InvalidSetting: not a number between 0 and 1.
            InvalidSession: the session id is not a printable string.
            SessionBusy: other actions on the session kept it from being saved.
        """
        session_id = _session_id(session_id)
        if (
            isinstance(diversity, bool)
            or not isinstance(diversity, (int, float))
            or not (math.isfinite(diversity) and 0.0 <= diversity <= 1.0)
        ):
            raise InvalidSetting(f"diversity must be a number from 0 to 1, not {diversity!r}")
        event = Event(kind="setting", setting="diversity", value=float(diversity))
        with self.locks.hold(session_id) as held:
            for _ in range(SAVE_ATTEMPTS if held else 0):
                snapshot = self.store.snapshot(session_id)
                state = snapshot.state.model_copy(update={"diversity": float(diversity)})
                turn = Turn(
                    session_id=session_id,
                    reply="",
                    action="acknowledge",
                    intent=Intent.CHITCHAT,
                    state=state,
                )
                if self.store.save(session_id, event, turn, snapshot.version):
                    return state
        raise SessionBusy(f"session {session_id!r} is busy; the setting was not changed")

    def warm_up(self) -> None:
        """Load the models now rather than on the first message (chat UIs call this at start)."""
        self.pipeline.warm_up()  # per-catalog arrays and orders, seconds at 1M items
        context = self.pipeline.context
        context.index.embedder.embed(["warm up"])
        items = self.items()
        self.linker.follow(context.memory)  # at 1M items a first comparison takes seconds
        if self.pipeline.ranker.reranker is not None:
            self.pipeline.ranker.reranker.score("warm up", list(items.values())[:1])
        self.writer.warm_up()
        return_free_memory()  # what reading the catalog and building the linker left free

    # -- one turn -------------------------------------------------------------------------------

    def _run(
        self,
        session_id: str,
        event: Event,
        understand: Callable[[DialogueState], UserAct],
        intro: bool = True,
    ) -> Iterator[Turn]:
        """One turn, with the session locked: turns of one session never interleave."""
        with self.locks.hold(session_id) as held:
            if not held:
                yield _failed(
                    session_id,
                    self.store.snapshot(session_id).state,
                    "SessionBusy: another action on this conversation is still running",
                )
                return
            yield from self._attempts(session_id, event, understand, intro)

    def _attempts(
        self,
        session_id: str,
        event: Event,
        understand: Callable[[DialogueState], UserAct],
        intro: bool,
    ) -> Iterator[Turn]:
        """Compute and save the turn; again from the fresh state when another process saved a
        turn of this session meanwhile (a bounded number of times)."""
        snapshot = Snapshot(DialogueState())
        try:
            self.linker.follow(self.pipeline.context.memory)  # items added meanwhile are named
            for _ in range(SAVE_ATTEMPTS):
                snapshot = self.store.snapshot(session_id)
                plan, opening, error = yield from self._draft(
                    session_id, event, understand, intro, snapshot
                )
                turn = self._finish(session_id, event, plan, opening, error, snapshot)
                if turn is not None:
                    yield turn
                    return
                log.info("session %s changed meanwhile; recomputing the turn", session_id)
        except Exception as exc:  # the session must survive any bug: keep the old state
            log.exception("turn failed in session %s", session_id)
            yield _failed(session_id, snapshot.state, f"{type(exc).__name__}: {exc}")
            return
        yield _failed(
            session_id,
            snapshot.state,
            "SessionBusy: the conversation kept changing while this turn was computed",
        )

    def _draft(
        self,
        session_id: str,
        event: Event,
        understand: Callable[[DialogueState], UserAct],
        intro: bool,
        snapshot: Snapshot,
    ) -> Generator[Turn, None, tuple[_Plan, str, str | None]]:
        """Yields previews while the opening is written; returns (plan, opening, error)."""
        started, state = time.perf_counter(), snapshot.state
        if event.kind == "undo" or (event.kind == "message" and wants_undo(event.text)):
            plan = self._undo(session_id, snapshot)  # a command: no intent model involved
            plan.timings_ms["total"] = 1000 * (time.perf_counter() - started)
            return plan, "", None
        act = understand(state)
        correction = self._correction(event.text, act, snapshot)
        if correction is not None:
            act, state = correction.act, correction.state
        understood = time.perf_counter()
        plan = self._plan(act, state, event.text)
        template = plan.text  # what the generator may replace; notes go before it
        if correction is not None and correction.note:
            plan.text = f"{correction.note}\n{plan.text}"
        note = linking_note(act, self._title) if plan.action != "answer" else ""
        if note:
            plan.text = f"{note}\n{plan.text}"
        plan.timings_ms["understand"] = 1000 * (understood - started)
        opening, error = "", None
        if plan.action == "recommend" and intro:
            for opening, error in self._write_intro(event.text, plan):
                yield self._preview(session_id, plan, opening)
        elif plan.action == "recommend":
            opening = "Noted. Here are fresh picks:"
        elif intro and plan.writable and self.writer.writes(plan.action):
            error = yield from self._write_turn(session_id, event.text, plan, template)
        plan.timings_ms["total"] = 1000 * (time.perf_counter() - started)
        return plan, opening, error

    def _finish(
        self,
        session_id: str,
        event: Event,
        plan: _Plan,
        opening: str,
        error: str | None,
        snapshot: Snapshot,
    ) -> Turn | None:
        """The one place a turn is made final: reply text, state bookkeeping, saving. None
        when the session changed since `snapshot` (nothing is saved then)."""
        turn = self._preview(session_id, plan, opening)
        turn.error = error
        said = [event.text] if event.kind == "message" else []
        # A question about an item says nothing about the user's taste: the dialogue encoder
        # does not read it, so the next picks are those it would have made without it.
        exchange = [] if plan.action == "answer" else said + [turn.reply]
        recent = (turn.state.recent + exchange)[-RECENT_UTTERANCES:]
        turn.state.recent = [utterance[:UTTERANCE_CHARS] for utterance in recent]
        turn.state.last_reply = turn.reply[-LAST_REPLY_CHARS:]  # context for the next message
        if snapshot.recovered:  # say so: the user may have to repeat a choice
            turn.reply = f"{RECOVERED_NOTE}\n{turn.reply}"
        step = "pop" if plan.undone else "push" if _changed(snapshot.state, turn.state) else "keep"
        return turn if self.store.save(session_id, event, turn, snapshot.version, step) else None

    @staticmethod
    def _preview(session_id: str, plan: _Plan, opening: str) -> Turn:
        """The turn as the user sees it while the opening is written."""
        reply = f"{opening}\n{plan.text}" if opening else plan.text
        return Turn(
            session_id=session_id,
            reply=reply,
            action=plan.action,
            intent=plan.intent,
            items=list(plan.items),
            state=plan.state.model_copy(deep=True),
            timings_ms=dict(plan.timings_ms),
        )

    def _write_intro(self, message: str, plan: _Plan) -> Iterator[tuple[str, str | None]]:
        """(opening so far, error) while the model writes; last: the checked opening."""
        yield "", None  # the picks are shown before any text is generated
        started, last, error = time.perf_counter(), None, None
        for last in self.writer.stream_intro(message, plan.items, plan.state):
            error = last.error
            if last.text and "first_sentence" not in plan.timings_ms:
                plan.timings_ms["first_sentence"] = 1000 * (time.perf_counter() - started)
            yield last.text, error  # checked text only: nothing unchecked reaches the user
        if last is not None and last.counts is not None:
            log.info("grounding check: %s", last.counts)
        plan.timings_ms["generation"] = 1000 * (time.perf_counter() - started)
        titles = {
            i: item.display_title for i, item in self._items_by_id(plan.state.liked_items[-2:])
        }
        opening = lead(plan.state, titles, len(plan.items))
        yield self.writer.finish_intro(last, plan.items, opening), error

    def _write_turn(
        self, session_id: str, message: str, plan: _Plan, template: str
    ) -> Generator[Turn, None, str | None]:
        """The generator's checked text for a non-recommending turn, in place of `template`
        (the end of `plan.text`). Yields previews; returns the model's error, if any. An
        answer's facts show at once, its generated opening above them when it passed."""
        notes = plan.text[: len(plan.text) - len(template)]
        if plan.action == "answer":
            yield self._preview(session_id, plan, "")
        started, last = time.perf_counter(), None
        for last in self.writer.stream_turn(message, plan.action, plan.state, plan.about):
            if last.text and "first_sentence" not in plan.timings_ms:
                plan.timings_ms["first_sentence"] = 1000 * (time.perf_counter() - started)
            if last.text:  # checked text only; the template is held back until the end
                shown = f"{last.text}\n{template}" if plan.action == "answer" else last.text
                yield self._preview(session_id, replace(plan, text=notes + shown), "")
        if last is not None and last.counts is not None:
            log.info("grounding check: %s", last.counts)
        plan.timings_ms["generation"] = 1000 * (time.perf_counter() - started)
        plan.text = notes + self.writer.finish_turn(last, plan.action, template)
        return last.error if last is not None else None

    def _undo(self, session_id: str, snapshot: Snapshot) -> _Plan:
        """Back to `snapshot.before`, with the picks that were on screen then."""
        current = snapshot.state
        if snapshot.before is None:
            return _Plan(
                action="acknowledge",
                intent=Intent.CHITCHAT,
                text="Nothing to undo.",
                state=current.model_copy(deep=True),
                items=self._on_screen(session_id, current),
            )  # the cards stay
        # The setting is the slider's, not a step of the conversation: it stays as it is.
        restored = snapshot.before.model_copy(
            deep=True, update={"diversity": current.diversity, "turns": current.turns + 1}
        )
        plan = _Plan(
            action="undo",
            intent=Intent.CHITCHAT,
            state=restored,
            undone=True,
            text=undone(current, restored, self._title),
            items=self._on_screen(session_id, restored),
        )
        said = plan.text
        if plan.items:
            plan.text = (
                f"{said} Here are the picks from before:\n{format_list(plan.items)}\n"
                f"{policy.QUESTIONS['refine']}"
            )
        elif restored.has_preferences():
            self._recommend(plan, None)  # fresh picks from the restored state
            plan.action, plan.text = "undo", f"{said}\n{plan.text}"
        else:
            plan.text = f"{said}\n{policy.next_question(restored, self.profile)}"
        return plan

    def _on_screen(self, session_id: str, state: DialogueState) -> list[Recommendation]:
        """The cards of the latest turn that showed `state.last_shown` (reasons and all)."""
        if not state.last_shown:
            return []
        for _, turn in reversed(self.store.history(session_id)):
            if [r.id for r in turn.items] == state.last_shown:
                return list(turn.items)
        return []

    def _correction(self, message: str, act: UserAct, snapshot: Snapshot) -> Correction | None:
        """ "actually I did like it", "no, I meant the 2004 one": see agent/correction.py."""

        def namesake(item_id: str, year: int) -> str | None:
            item = self.linker.namesake(item_id, year)
            return item.id if item is not None else None

        return correct(message, act, snapshot.state, snapshot.before, namesake, self._title)

    def _title(self, item_id: str) -> str:
        item = self.items().get(item_id)
        return item.display_title if item is not None else item_id

    def _items_by_id(self, ids: list[str]) -> list[tuple[str, Item]]:
        items = self.items()
        return [(i, items[i]) for i in ids if i in items]

    def _understand(self, message: str, state: DialogueState) -> UserAct:
        act = self._propose(message, state)
        return self.attributes.read(message, act, state, self.items())

    def _propose(self, message: str, state: DialogueState) -> UserAct:
        try:
            return self.intent_model.propose(message, len(state.last_shown), state.last_reply)
        except Exception:
            if self.fallback_intent is None:
                raise
            log.exception("intent model failed; using the rule-based fallback")
            return self.fallback_intent.propose(message, len(state.last_shown), state.last_reply)

    def _plan(self, act: UserAct, state: DialogueState, message: str) -> _Plan:
        question = (
            self.answerer.read(message, state, self.items(), inquire=act.intent == Intent.INQUIRE)
            if message
            else None
        )
        if question is not None and act.unknown_titles and not self.linker.find_titles(message):
            # "who directed Amélie?" when Amélie is not in the catalog: say so, rather than
            # answer about the item discussed before.
            unchanged = state.model_copy(deep=True)
            unchanged.turns += 1
            return _Plan("answer", Intent.INQUIRE, unchanged, linking_note(act, self._title))
        if question is not None:
            return self._answer(question, state)
        new_state, referents = self.tracker.apply(state, act)
        action = policy.decide(act, new_state, referents)
        plan = _Plan(action=action, intent=act.intent, state=new_state, text="")
        if action == "recommend":
            # The retriever reads the dialogue including this message.
            dialogue = (state.recent + [message])[-RECENT_UTTERANCES:] if message else None
            return self._recommend(plan, dialogue)
        plan.writable = True  # the templates below stand in when nothing generated passes
        if action == "answer":
            plan.text = describe(self.items()[referents[0]])
            plan.about = [referents[0]]
        elif action == "acknowledge":
            plan.text = "Great choice, enjoy! " + policy.QUESTIONS["refine"]
        elif action == "goodbye":
            plan.text = f"Enjoy your {self.profile.plural}! Come back any time for more."
        else:
            plan.text = policy.next_question(new_state, self.profile)
        return plan

    def _answer(self, question: Question, state: DialogueState) -> _Plan:
        """Answer a question about items; the picks and preferences stay as they were."""
        new_state = state.model_copy(deep=True)
        new_state.turns += 1
        new_state.discussed = question.item_ids[0] if question.item_ids else state.discussed
        return _Plan(
            action="answer",
            intent=Intent.INQUIRE,
            state=new_state,
            text=self.answerer.answer(question, self.items()),
            writable=bool(question.item_ids),
            about=list(question.item_ids),
        )

    def _recommend(self, plan: _Plan, dialogue: list[str] | None) -> _Plan:
        query = build_query(plan.state, self.k, dialogue, self.profile)
        ranked = self.pipeline.recommend(query)
        plan.timings_ms.update(ranked.timings_ms)
        if not ranked.candidates:
            plan.action = "ask"
            plan.text = (
                "I couldn't find anything new that fits all of that. "
                "Could you relax a constraint (a genre, the years)?"
            )
            return plan
        reasons = self.explainer.reasons(ranked.candidates, plan.state)
        plan.items = [
            Recommendation(
                id=c.item.id,
                title=c.item.title,
                year=c.item.year,
                genres=c.item.genres,
                description=c.item.text[:300],
                byline=byline(c.item),
                score=round(c.score, 4),
                reason=reason,
            )
            for c, reason in zip(ranked.candidates, reasons, strict=True)
        ]
        ids = [r.id for r in plan.items]
        plan.state.shown_items += [i for i in ids if i not in plan.state.shown_items]
        plan.state.last_shown = ids
        plan.state.discussed = None  # "it" now means the first of the new list
        plan.text = f"{format_list(plan.items)}\n{policy.QUESTIONS['refine']}"
        return plan


def _changed(before: DialogueState, after: DialogueState) -> bool:
    """Whether a turn changed what the agent knows or shows (an undoable change)."""
    return before.model_dump(exclude=_BOOKKEEPING) != after.model_dump(exclude=_BOOKKEEPING)


def _failed(session_id: str, state: DialogueState, error: str) -> Turn:
    """The answer to a turn that could not be computed or saved; nothing is stored."""
    return Turn(
        session_id=session_id,
        action="acknowledge",
        intent=Intent.CHITCHAT,
        state=state,
        reply="Sorry, something went wrong on my side; your conversation is kept. "
        "Please try again.",
        error=error,
        saved=False,
    )


def _session_id(value: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_SESSION_ID_CHARS or not value.isprintable():
        raise InvalidSession(
            f"a session id is printable text of at most {MAX_SESSION_ID_CHARS} "
            f"characters, not {value!r:.80}"
        )
    return value


def _validated(message: str) -> str:
    if message is not None and not isinstance(message, str):
        raise InvalidMessage(f"the message must be text, not {type(message).__name__}")
    broken = _SURROGATE.search(message or "")
    if broken:
        raise InvalidMessage(
            f"the message holds a broken character (an unpaired surrogate, "
            f"U+{ord(broken.group()):04X}, at position {broken.start()}): please retype it"
        )
    text = _CONTROL.sub("", (message or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise InvalidMessage("the message is empty: tell me about a movie or a genre you like")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidMessage(
            f"the message is {len(text)} characters long; the limit is {MAX_MESSAGE_CHARS}"
        )
    return text
