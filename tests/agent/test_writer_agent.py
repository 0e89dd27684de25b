"""The generator in the agent: cards first, then only checked sentences."""

from __future__ import annotations

from agent.llm.scripted import ScriptedModel


def test_cards_come_first_then_only_checked_sentences(make_agent):
    replies = [
        "These should suit you well. You will love Made Up Movie (1997)!",
        "Try Another Invention (1998).",
    ]
    agent = make_agent(llm=ScriptedModel(replies), writer="generator")
    turns = list(agent.reply_stream("s", "I loved Alien"))
    assert turns[0].items and "suit you" not in turns[0].reply
    final = turns[-1]
    assert final.reply.startswith("These should suit you well.\n1. ")
    assert all("1997" not in t.reply and "1998" not in t.reply for t in turns)
    assert "first_sentence" in final.timings_ms
