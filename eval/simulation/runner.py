"""Runs simulated cold-start users against the agent, and a non-conversational baseline in the
same pass.

Success is Hit@5 within `max_turns` user messages: the hidden target appears in one of the
agent's lists of 5 by then. The baseline sees only the first message (the conversation's opening
is the same for both) and ranks once; it is scored on its first 5 (the classic one-shot
recommender) and, for an equal number of movies shown, on its first 5 x t at turn t.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.query import build_query
from eval.simulation.profiles import UserProfile
from eval.simulation.user import SimulatedUser, TargetLeak

if TYPE_CHECKING:
    from agent.agent import Agent
    from agent.schema import DialogueState

BASELINE_DEPTH = 25  # 5 turns x 5 movies: the baseline's equal-exposure list


@dataclass
class Episode:
    """One simulated user's conversation and what it was shown."""

    dialogue_id: str
    target_id: str
    messages: list[str] = field(default_factory=list)  # what the user said, in order
    shown: list[list[str]] = field(default_factory=list)  # ids per agent turn ([] when it asked)
    latencies_ms: list[float] = field(default_factory=list)  # agent.reply wall time per turn
    success_turn: int | None = None  # 1-based user turn whose list held the target
    last_turn_top10: list[str] = field(default_factory=list)  # the agent's ranking at the end
    baseline: list[str] = field(default_factory=list)  # ranked from the first message only
    error: str | None = None  # the conversation broke off (an agent error, the leak guard)


def simulate(
    agent: Agent,
    profiles: list[UserProfile],
    max_turns: int = 5,
    use_attributes: bool = True,
    progress: bool = False,
    noun: str = "movie",
) -> list[Episode]:
    """One conversation per profile, each in a fresh session.

    Args:
        agent: the agent under test (its `k` sets the list length, normally 5).
        profiles: the simulated users.
        max_turns: user messages per conversation at most.
        use_attributes: users also say the target's genres and era, not only liked movies.
        noun: what the users ask for ("book" on a book catalog).
    """
    from tqdm import tqdm

    items = agent.items()
    genre_counts = _genre_counts(items)
    vectors = vector_lookup(agent)
    episodes = []
    for profile in tqdm(profiles, desc="simulating", unit="user", disable=not progress):
        user = SimulatedUser(profile, items, vectors, genre_counts, use_attributes, noun=noun)
        episodes.append(_converse(agent, user, max_turns))
    return episodes


def _converse(agent: Agent, user: SimulatedUser, max_turns: int) -> Episode:
    episode = Episode(user.profile.dialogue_id, user.profile.target_id)
    session = f"simulated-{uuid.uuid4().hex[:12]}"
    turn = None
    try:
        for number in range(1, max_turns + 1):
            message = user.opening() if turn is None else user.respond(turn)
            started = time.perf_counter()
            turn = agent.reply(session, message)
            episode.latencies_ms.append(1000 * (time.perf_counter() - started))
            episode.messages.append(message)
            episode.shown.append([r.id for r in turn.items] if turn.action == "recommend" else [])
            if number == 1:
                episode.baseline = _ranking(agent, _fresh(turn.state), BASELINE_DEPTH)
            if episode.target_id in episode.shown[-1]:
                episode.success_turn = number
                break
            if turn.error:
                episode.error = turn.error
    except TargetLeak as exc:
        episode.error = str(exc)
    if turn is not None:
        episode.last_turn_top10 = _ranking(agent, _before_last_list(turn.state), 10)
    return episode


def _ranking(agent: Agent, state: DialogueState, depth: int) -> list[str]:
    """What the agent's own ranking puts first for `state`, `depth` deep."""
    ranked = agent.pipeline.recommend(build_query(state, depth))
    return [c.item.id for c in ranked.candidates]


def _fresh(state: DialogueState) -> DialogueState:
    """The state as understood from the messages, before anything was shown."""
    return state.model_copy(update={"shown_items": [], "last_shown": []}, deep=True)


def _before_last_list(state: DialogueState) -> DialogueState:
    """The state the last list was ranked from (earlier lists excluded, as the agent does)."""
    last = set(state.last_shown)
    return state.model_copy(
        update={"shown_items": [i for i in state.shown_items if i not in last], "last_shown": []},
        deep=True,
    )


def _genre_counts(items: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items.values():
        for genre in item.genres:
            counts[genre] = counts.get(genre, 0) + 1
    return counts


def vector_lookup(agent: Agent):
    """ids -> unit vectors (n, dim), from the agent's in-memory copy of the index."""
    return agent.pipeline.context.memory.vectors


def hold_out(agent: Agent, profiles: list[UserProfile], redial_dir) -> tuple[Agent, bool]:
    """When the agent uses a co-occurrence model, an agent whose model is rebuilt without the
    simulated users' own dialogues: counted with them, it would have seen each target next to
    the profile's movies. Its ranker, retriever and explanations all read the rebuilt model.

    Returns:
        (the agent to simulate with, whether a model was rebuilt; False: the agent has none).
    """
    if agent.pipeline.context.collaborative is None:
        return agent, False
    from corpora.iard_redial import learning_dialogues
    from retrieval.collaborative import CoOccurrence

    held_out = {p.dialogue_id for p in profiles}
    model = CoOccurrence.build(learning_dialogues(redial_dir), held_out)
    return agent.with_pipeline(agent.pipeline.with_collaborative(model)), True
