from __future__ import annotations

import threading
import time

import pytest

from agent import InvalidMessage
from agent.agent import InvalidFeedback, InvalidSetting
from agent.llm.base import LanguageModel, LLMUnavailable
from agent.llm.scripted import ScriptedModel
from retrieval.schema import Item


def test_cold_start_user_is_asked_before_anything_is_recommended(make_agent):
    agent = make_agent()
    turn = agent.reply("s", "hello!")
    assert turn.action == "ask" and turn.items == [] and "?" in turn.reply


def test_named_movies_give_grounded_recommendations(make_agent):
    agent = make_agent(llm=ScriptedModel(["What a fun pair of movies!"]))
    turn = agent.reply("s", "I loved Alien and Aliens")
    assert turn.action == "recommend" and len(turn.items) == 5
    assert turn.reply.startswith("What a fun pair of movies! Here are 5 picks based on Alien")
    titles = {r.title for r in turn.items}
    assert not titles & {"Alien", "Aliens"}  # the liked movies themselves are not news
    assert all(r.reason and r.score for r in turn.items)
    assert any("Alien (1979)" in r.reason or "Aliens (1986)" in r.reason for r in turn.items)
    assert turn.timings_ms["retrieval"] > 0
    assert 0 < turn.timings_ms["generation"] < turn.timings_ms["total"]


def test_invented_titles_from_the_model_are_never_shown(make_agent):
    agent = make_agent(llm=ScriptedModel(["You should watch Titanic (1997) tonight!"]))
    turn = agent.reply("s", "I loved Alien and Aliens")
    assert "Titanic" not in turn.reply and turn.reply.startswith("Here are 5 picks")


def test_dead_model_still_gives_recommendations(make_agent):
    agent = make_agent(llm=ScriptedModel([]))  # raises LLMUnavailable on first use
    turn = agent.reply("s", "I loved Alien and Aliens")
    assert len(turn.items) == 5 and turn.error and "no replies left" in turn.error


def test_reactions_change_the_next_results_and_rejected_or_seen_never_return(make_agent):
    agent = make_agent()
    first = agent.reply("s", "I loved Alien and Aliens")
    shown = [r.id for r in first.items]
    seen = agent.reply("s", "I've seen the first one")
    assert seen.state.seen_items == [shown[0]]
    rejected = agent.reply("s", "not the second one")  # the second of the latest list
    assert rejected.state.disliked_items == [seen.items[1].id]
    lighter = agent.reply("s", "something less violent")
    assert not {"horror", "war"} & {g for r in lighter.items for g in r.genres}
    every = [r.id for t in (first, seen, rejected, lighter) for r in t.items]
    assert len(every) == len(set(every))  # nothing is recommended twice


def test_more_like_the_second_one_likes_it(make_agent):
    agent = make_agent()
    first = agent.reply("s", "I want a comedy")
    assert all("comedy" in r.genres for r in first.items)
    turn = agent.reply("s", "more like the second one")
    assert turn.state.liked_items[-1] == first.items[1].id
    assert any(first.items[1].title in r.reason for r in turn.items)


def test_inquiry_is_answered_from_catalog_data(make_agent):
    agent = make_agent()
    first = agent.reply("s", "I loved The Terminator")
    turn = agent.reply("s", "what is the first one about?")
    assert turn.action == "answer" and first.items[0].title in turn.reply


def test_feedback_buttons_update_state_and_refresh(make_agent):
    agent = make_agent()
    first = agent.reply("s", "I loved Toy Story")
    turn = agent.feedback("s", first.items[0].id, "dislike")
    assert first.items[0].id in turn.state.disliked_items and len(turn.items) == 5
    assert first.items[0].id not in {r.id for r in turn.items}
    with pytest.raises(InvalidFeedback, match="unknown item"):
        agent.feedback("s", "no-such-id", "like")
    with pytest.raises(InvalidFeedback, match="unknown reaction 'love'"):
        agent.feedback("s", first.items[1].id, "love")
    assert agent.state("s") == turn.state  # a refused press changes nothing


def test_sessions_persist_across_restarts(make_agent):
    first = make_agent().reply("persist", "I loved Alien")
    restarted = make_agent()
    turn = restarted.reply("persist", "seen the first one")
    assert turn.state.liked_items == first.state.liked_items
    assert first.items[0].id in turn.state.seen_items
    history = restarted.history("persist")
    assert [e.text for e, _ in history] == ["I loved Alien", "seen the first one"]
    assert {e.kind for e, _ in history} == {"message"}


def test_bad_input_is_refused_clearly_and_loses_nothing(make_agent):
    agent = make_agent()
    agent.reply("s", "I loved Alien")
    with pytest.raises(InvalidMessage, match="empty"):
        agent.reply("s", "   ")
    with pytest.raises(InvalidMessage, match="characters long"):
        agent.reply("s", "x" * 5000)
    assert agent.state("s").liked_items


def test_a_crash_inside_a_turn_keeps_the_session(make_agent, monkeypatch):
    agent = make_agent()
    before = agent.reply("s", "I loved Alien").state

    def boom(query):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(agent.pipeline, "recommend", boom)
    turn = agent.reply("s", "more like Aliens")
    assert "went wrong" in turn.reply and "index exploded" in turn.error
    assert agent.state("s") == before


def test_stream_yields_recommendations_before_text(make_agent):
    agent = make_agent(llm=ScriptedModel(["Great taste in movies!"]))
    turns = list(agent.reply_stream("s", "I loved Alien"))
    assert turns[0].items and "Great" not in turns[0].reply
    assert turns[-1].reply.startswith("Great taste in movies! Here are 5 picks")


def test_an_item_added_while_running_can_be_named_at_once(make_agent):
    from retrieval.schema import Item

    agent = make_agent()
    agent.reply("s", "hello")
    new = Item(
        id="new-1",
        title="Zorblax Returns",
        year=2026,
        genres=["sci-fi"],
        text="A lonely robot searches the galaxy for its creator.",
    )
    agent.pipeline.context.index.add([new], progress=False)
    turn = agent.reply("s", "I loved Zorblax Returns")
    assert turn.state.liked_items == ["new-1"] and turn.items


def test_a_press_on_the_second_of_two_same_titled_items_records_that_item(make_agent):
    twins = [
        Item(
            id=f"twin-{n}",
            title="Night Train",
            genres=["thriller"],
            popularity=pop,
            text=f"Version {n} of a thriller on a night train.",
        )
        for n, pop in ((1, 90), (2, 3))
    ]
    agent = make_agent()
    agent.pipeline.context.index.add(twins, progress=False)
    turn = agent.feedback("s", "twin-2", "like")
    assert turn.state.liked_items == ["twin-2"]
    turn = agent.feedback("s", "twin-1", "seen")
    assert turn.state.seen_items == ["twin-1"] and turn.state.liked_items == ["twin-2"]
    events = [e for e, _ in agent.history("s")]
    assert [(e.kind, e.item_id, e.reaction) for e in events] == [
        ("feedback", "twin-2", "like"),
        ("feedback", "twin-1", "seen"),
    ]


def test_settings_are_validated_and_stored_as_settings(make_agent):
    agent = make_agent()
    for bad in (5.0, -0.1, float("nan"), float("inf")):
        with pytest.raises(InvalidSetting, match="from 0 to 1"):
            agent.set_diversity("s", bad)
    agent.set_diversity("s", 0.4)
    assert agent.state("s").diversity == 0.4
    assert [(e.kind, e.setting, e.value) for e, _ in agent.history("s")] == [
        ("setting", "diversity", 0.4)
    ]
    assert agent.reply("s", "I loved Alien").items  # the session still works


class _FlakyModel(LanguageModel):
    """Fails for messages that mention Aliens, answers the others; slow enough to overlap."""

    def stream(self, messages, max_tokens=64, stop=None):
        prompt = messages[-1].content
        for word in ("What ", "a ", "fine ", "choice!"):
            time.sleep(0.01)
            if "Aliens" in prompt:
                raise LLMUnavailable("flaky server refused")
            yield word


def test_concurrent_sessions_each_get_their_own_writer_error(make_agent):
    agent = make_agent(llm=_FlakyModel())
    turns: dict[str, object] = {}

    def chat(session: str, message: str) -> None:
        turns[session] = agent.reply(session, message)

    threads = [
        threading.Thread(
            target=chat, args=(f"s{n}", "I loved Aliens" if n % 2 else "I loved Alien")
        )
        for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n in range(8):
        turn = turns[f"s{n}"]
        assert turn.items, turn.error
        if n % 2:
            assert turn.error and "refused" in turn.error
        else:
            assert turn.error is None and turn.reply.startswith("What a fine choice!")
