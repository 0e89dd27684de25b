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


def test_a_question_for_preferences_is_written_by_the_generator(make_agent):
    agent = make_agent(
        llm=ScriptedModel(["Hi there! What kind of movies do you like?"]), writer="generator"
    )
    turn = agent.reply("s", "hello")
    assert turn.action == "ask" and turn.error is None
    assert turn.reply == "Hi there! What kind of movies do you like?"
    assert "first_sentence" in turn.timings_ms
    previews = list(
        make_agent(llm=ScriptedModel([turn.reply]), writer="generator").reply_stream("p", "hello")
    )
    replies = [t.reply for t in previews]  # sentence by sentence, the template never shown
    assert replies[0] == "Hi there!" and set(replies[1:]) == {turn.reply}


def test_a_written_question_naming_a_title_falls_back_to_the_template(make_agent):
    template = make_agent().reply("templated", "hello").reply
    replies = ["Have you seen Titanic (1997)?", "Do you like Aliens (1986)?"]
    agent = make_agent(llm=ScriptedModel(replies), writer="generator")
    turns = list(agent.reply_stream("s", "hello"))
    assert turns[-1].reply == template
    assert all("Titanic" not in t.reply and "Aliens" not in t.reply for t in turns)


def test_an_answer_keeps_its_facts_under_the_generated_opening(make_agent):
    question = "who directed Alien?"
    facts = make_agent().reply("templated", question)
    assert facts.action == "answer"
    agent = make_agent(llm=ScriptedModel(["Great choice, it is a classic."]), writer="generator")
    turns = list(agent.reply_stream("s", question))
    assert turns[0].reply == facts.reply  # the facts show at once
    assert turns[-1].reply == f"Great choice, it is a classic.\n{facts.reply}"


def test_goodbye_is_written_by_the_generator(make_agent):
    agent = make_agent(llm=ScriptedModel(["Enjoy them, see you soon!"]), writer="generator")
    turn = agent.reply("s", "thanks, bye!")
    assert turn.action == "goodbye" and turn.reply == "Enjoy them, see you soon!"
