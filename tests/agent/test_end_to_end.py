"""The real default language model (SmolLM2-135M, converted from the installed GGUF) and a real
index of ReDial movies, through a scripted four-turn conversation."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def real_llm(tmp_path_factory):
    from agent.llm.local_model import ensure_default_llm
    from agent.llm.transformers_model import TransformersModel

    return TransformersModel(ensure_default_llm(tmp_path_factory.mktemp("models")))


@pytest.mark.slow
def test_four_turn_conversation_with_the_real_model(db, real_llm):
    from agent import Settings, build_agent

    agent = build_agent(Settings(db=db), llm=real_llm)
    hello = agent.reply("e2e", "hi, I need something to watch tonight")
    assert hello.action == "ask"

    first = agent.reply("e2e", "I loved Alien and Aliens")
    assert len(first.items) == 5 and "sci-fi" in {g for r in first.items for g in r.genres}
    assert first.timings_ms["generation"] > 0 and first.error is None

    gentler = agent.reply("e2e", "something less violent")
    genres = {g for r in gentler.items for g in r.genres}
    assert len(gentler.items) == 5 and not genres & {"horror", "war", "crime", "thriller"}

    last = agent.reply("e2e", "seen the first one, more like the third")
    assert gentler.items[0].id in last.state.seen_items
    assert gentler.items[2].id in last.state.liked_items
    shown = [r.id for t in (first, gentler, last) for r in t.items]
    assert len(shown) == len(set(shown))
    assert not {g for r in last.items for g in r.genres} & {"horror", "war", "crime", "thriller"}
    for turn in (first, gentler, last):
        assert "Here are 5 picks" in turn.reply  # the grounded lead is always there
