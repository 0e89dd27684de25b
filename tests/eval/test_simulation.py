"""Simulated users: profiles from ReDial-format dialogues, what they say (understood by the rules,
never naming the target), the metrics, and a short run against the real agent."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agent.intent.rules import RuleIntentModel
from agent.schema import DialogueState, Intent, Recommendation, Turn
from eval.simulation.profiles import UserProfile, load_profiles
from eval.simulation.report import summarise, write_report
from eval.simulation.runner import Episode
from eval.simulation.user import SimulatedUser, TargetLeak
from retrieval.entity_linker import EntityLinker
from retrieval.schema import Item

ITEMS = {
    i.id: i
    for i in [
        Item(id="10", title="Alien", year=1979, genres=["horror", "sci-fi"]),
        Item(id="11", title="Alien: Covenant", year=2017, genres=["horror", "sci-fi"]),
        Item(id="12", title="The Thing", year=1982, genres=["horror", "mystery", "sci-fi"]),
        Item(id="13", title="Toy Story", year=1995, genres=["animation", "comedy", "family"]),
        Item(id="14", title="Predator", year=1987, genres=["action", "sci-fi"]),
    ]
}


def _dialogue(conversation, mentions, answers, seeker_text):
    return {
        "conversationId": conversation,
        "initiatorWorkerId": 1,
        "respondentWorkerId": 2,
        "movieMentions": mentions,
        "initiatorQuestions": answers,
        "respondentQuestions": {},
        "messages": [{"senderWorkerId": 1, "text": seeker_text}],
    }


def test_profiles_target_a_liked_suggestion_and_never_contain_it(tmp_path):
    path = tmp_path / "dialogues.jsonl"
    rows = [
        _dialogue(
            "c1",
            {
                "1": "The Thing  (1982)",
                "2": "Alien (1979)",
                "3": "Predator (1987)",
                "4": "Toy Story (1995)",
            },
            {
                "1": {"suggested": 1, "seen": 0, "liked": 1},
                "2": {"suggested": 0, "seen": 1, "liked": 1},
                "3": {"suggested": 0, "seen": 1, "liked": 1},
                "4": {"suggested": 1, "seen": 1, "liked": 0},
            },
            "I like @3 and @2",
        ),
        # Nothing the seeker liked was suggested: no target, no user.
        _dialogue(
            "c2", {"2": "Alien (1979)"}, {"2": {"suggested": 0, "seen": 1, "liked": 1}}, "@2"
        ),
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    [profile] = load_profiles(path, ITEMS, n=10)
    assert profile.dialogue_id == "c1"
    assert profile.target_id == "12"
    assert profile.liked_ids == ["14", "10"]  # in the order the seeker named them
    assert profile.seen_ids == ["13"]


def _user(target="12", liked=("14", "10"), close=0.0):
    def vectors(ids):  # the target is `close` to every other movie
        return np.asarray(
            [[1.0, 0.0] if i == target else [close, (1 - close**2) ** 0.5] for i in ids]
        )

    counts = {"sci-fi": 4, "horror": 3, "mystery": 1, "action": 1}
    return SimulatedUser(UserProfile("c", target, list(liked)), ITEMS, vectors, counts)


def _understood(message, last_shown=0):
    rules = RuleIntentModel(
        EntityLinker(list(ITEMS.values())), {g for it in ITEMS.values() for g in it.genres}
    )
    return rules.propose(message, last_shown)


def _state_after(message, shown):
    """The dialogue state the agent's rules and tracker make of `message` after list `shown`."""
    from agent.state import StateTracker

    state = DialogueState(last_shown=list(shown), shown_items=list(shown))
    act = _understood(message, len(shown))
    return StateTracker().apply(state, act)[0]


def _shown(*ids):
    items = [Recommendation(id=i, title=ITEMS[i].title, score=1.0, reason="") for i in ids]
    return Turn(
        session_id="s",
        reply="",
        action="recommend",
        intent=Intent.PREFERENCE,
        items=items,
        state=DialogueState(),
    )


def test_the_opening_says_the_rarest_genres_and_a_liked_movie():
    user = _user()
    opening = user.opening()
    assert opening == "Hi! I'm looking for a mystery or horror movie. I loved Predator (1987)."
    act = _understood(opening)
    assert [ITEMS[i].display_title for i in act.liked_items] == ["Predator (1987)"]
    assert set(act.liked_genres) == {"mystery", "horror"}


def test_reactions_are_understood_by_the_rules():
    user = _user(close=0.9)
    user.opening()
    critique = user.respond(_shown("13", "11"))
    assert critique == "More like the first one, something from the 1980s."
    state = _state_after(critique, ["13", "11"])
    assert (state.liked_items, state.year_min, state.year_max) == (["13"], 1980, 1989)

    far = _user(close=0.1)
    far.opening()
    far.said_era = True
    assert _state_after(far.respond(_shown("13")), ["13"]).liked_items == ["10"]
    rejection = far.respond(_shown("13"))
    assert rejection == "None of those are for me."
    assert _state_after(rejection, ["13"]).disliked_items == ["13"]


def test_a_liked_movie_that_names_the_target_is_never_said():
    # The target is Alien; "Alien: Covenant" contains its title, so the user keeps it to itself.
    user = _user(target="10", liked=("11",))
    assert user.opening() == "Hi! I'm looking for a horror or sci-fi movie."
    assert "Alien" not in user.respond(_shown("13"))
    with pytest.raises(TargetLeak):
        user._checked("Do you have Alien?")
    with pytest.raises(TargetLeak):
        user._checked("maybe item 10")


def test_summary_figures_by_hand():
    episodes = [
        Episode(
            "a",
            "t1",
            shown=[["x", "y"], ["t1", "z"]],
            latencies_ms=[10, 30],
            success_turn=2,
            last_turn_top10=["t1"],
            baseline=["x", "q", "w", "e", "r", "t1"],
        ),
        Episode(
            "b",
            "t2",
            shown=[["t2"]],
            latencies_ms=[20],
            success_turn=1,
            last_turn_top10=["t2"],
            baseline=["t2"],
        ),
        Episode(
            "c",
            "t3",
            shown=[["x"], [], ["y"]],
            latencies_ms=[40, 50, 60],
            last_turn_top10=["a"],
            baseline=["b"],
        ),
        Episode("d", "t4", shown=[["x"]], latencies_ms=[70], last_turn_top10=[], baseline=[]),
    ]
    report = summarise(episodes, lambda ids: np.eye(len(ids), 4), catalog_size=100, max_turns=3)
    agent, baseline = report["agent"], report["baseline"]
    assert agent["success_by_turn"] == [0.25, 0.5, 0.5]
    assert agent["success_rate"] == 0.5
    assert agent["avg_turns_to_success"] == 1.5
    assert agent["recall_at_10_last_turn"] == 0.5
    assert agent["latency_ms"]["p50"] == 40 and agent["latency_ms"]["p95"] == 70
    assert agent["diversity"]["distinct_items"] == 5  # x, y, t1, z, t2
    assert baseline["success_rate"] == 0.25
    assert baseline["hit_at_5t_by_turn"] == [0.25, 0.5, 0.5]
    assert report["paired"] == {"agent_only": 1, "baseline_only": 0}


def test_a_short_simulation_against_the_agent(db, small_items, tmp_path):
    from agent.build import build_agent
    from agent.settings import Settings
    from eval.simulation.runner import simulate, vector_lookup

    agent = build_agent(Settings(db=db, llm="none"))
    by_title = {it.display_title: it.id for it in small_items}
    profiles = [
        UserProfile("u1", by_title["Aliens (1986)"], [by_title["Alien (1979)"]]),
        UserProfile("u2", by_title["Finding Nemo (2003)"], [by_title["Toy Story (1995)"]]),
    ]
    episodes = simulate(agent, profiles, max_turns=3)
    for episode, profile in zip(episodes, profiles):
        target = agent.items()[profile.target_id]
        assert episode.error is None
        assert all(target.title not in m for m in episode.messages)
        assert len(episode.baseline) == 25 and len(episode.messages) <= 3
    report = summarise(episodes, vector_lookup(agent), len(small_items), max_turns=3)
    assert report["agent"]["success_rate"] >= report["baseline"]["success_rate"]
    json_path, plot = write_report(report, episodes, tmp_path / "out")
    assert json.loads(json_path.read_text())["users"] == 2
    assert plot.stat().st_size > 1000
