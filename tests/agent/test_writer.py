"""The generated reply: shown sentence by sentence, only after each passed its check."""

from __future__ import annotations

import pytest

from agent.generation_prompt import GenerationInput
from agent.llm.scripted import ScriptedModel
from agent.schema import Recommendation
from agent.writer import Writer
from retrieval.entity_linker import EntityLinker
from tests.agent.test_grounding import ALIEN, ALIENS, NOTEBOOK, TITANIC

INPUT = GenerationInput(
    dialogue=[("User", "I loved The Terminator, something like it?")],
    items=[ALIEN, ALIENS],
    genres=["sci-fi"],
)
LEAD = "Here are 2 picks:"


@pytest.fixture(scope="module")
def linker() -> EntityLinker:
    return EntityLinker([ALIEN, ALIENS, TITANIC, NOTEBOOK])


def _write(linker, replies):
    llm = ScriptedModel(replies)
    drafts = list(Writer(llm, linker, generator=True).stream_reply(INPUT))
    return drafts, llm


def test_checked_sentences_stream_one_by_one(linker):
    drafts, llm = _write(linker, ["You should watch Alien (1979). It stars Sigourney Weaver."])
    assert [d.text for d in drafts] == [
        "You should watch Alien (1979).",
        "You should watch Alien (1979). It stars Sigourney Weaver.",
        "You should watch Alien (1979). It stars Sigourney Weaver.",
    ]
    assert drafts[-1].counts.passed == 2 and drafts[-1].counts.retried == 0
    prompt = llm.prompts[0][-1].content
    assert "Alien (1979) | horror, sci-fi | director Ridley Scott" in prompt
    assert "I loved The Terminator" in prompt


def test_a_failing_sentence_is_sampled_again_from_what_was_shown(linker):
    drafts, llm = _write(
        linker, ["Alien (1979) is great. So is Titanic (1997).", "Aliens is just as tense."]
    )
    assert drafts[-1].text == "Alien (1979) is great. Aliens is just as tense."
    assert "Titanic" not in " ".join(d.text for d in drafts)
    counts = drafts[-1].counts
    assert (counts.retried, counts.retry_passed, counts.dropped) == (1, 1, 0)
    assert counts.faults["title"] == 1
    # The second try continues the reply already shown.
    assert llm.prompts[1][-1].role == "assistant"
    assert llm.prompts[1][-1].content == "Alien (1979) is great."


def test_a_sentence_failing_twice_is_dropped_and_the_template_remains(linker):
    drafts, _ = _write(linker, ["Titanic (1997) is the one.", "Leonardo DiCaprio is in Alien."])
    assert all(d.text == "" for d in drafts)
    counts = drafts[-1].counts
    assert (counts.sentences, counts.retried, counts.dropped) == (2, 1, 1)
    recs = [Recommendation(id="1", title="Alien", year=1979, score=1.0, reason="")]
    assert Writer(None, linker).finish_intro(drafts[-1], recs, LEAD) == LEAD


def test_a_dead_model_leaves_the_template(linker):
    drafts, _ = _write(linker, [])
    assert drafts[-1].error and drafts[-1].text == ""


def test_the_interjection_writer_never_yields_unchecked_text(linker):
    recs = [Recommendation(id="1", title="Alien", year=1979, score=1.0, reason="")]
    writer = Writer(ScriptedModel(["You should watch Titanic (1997) tonight!"]), linker)
    drafts = list(writer.stream_intro("I loved Alien", recs))
    assert [d.text for d in drafts] == [""]
    assert writer.finish_intro(drafts[-1], recs, LEAD) == LEAD


def test_a_turn_that_recommends_nothing_names_no_title_it_was_not_given(linker):
    from agent.schema import DialogueState

    writer = Writer(ScriptedModel(["You might like Titanic (1997).", "What do you enjoy?"]), linker)
    writer.generator = True
    drafts = list(writer.stream_turn("hi", "ask", DialogueState()))
    assert drafts[-1].text == "What do you enjoy?"
    assert drafts[-1].counts.faults["title"] == 1


def test_finishing_a_turn_keeps_facts_and_questions():
    from agent.writer import Draft

    finish = Writer.finish_turn
    assert finish(Draft("It is a classic."), "answer", "Alien is horror.") == (
        "It is a classic.\nAlien is horror."
    )
    assert finish(Draft("Sounds fun."), "ask", "Which genres?") == "Sounds fun. Which genres?"
    assert finish(Draft("What do you like?"), "ask", "Which genres?") == "What do you like?"
    assert finish(Draft("Hello!"), "ask", "Hi! Which genres?") == "Hello! Which genres?"
    assert finish(Draft(""), "goodbye", "Bye!") == "Bye!"
    assert finish(None, "acknowledge", "Enjoy!") == "Enjoy!"


def test_it_means_the_item_just_named(linker):
    """ "It" after a sentence that named Aliens is Aliens: its year and plot are held against
    Aliens, not against any item given (Alien's 1979 and spacecraft crew would let them pass)."""
    drafts, _ = _write(linker, ["Aliens (1986) is tense. It came out in 1979.", "Bye now."])
    assert drafts[-1].text == "Aliens (1986) is tense. Bye now."
    assert drafts[-1].counts.faults["year"] == 1
    drafts, _ = _write(linker, ["Aliens (1986) is tense. It is about a spacecraft crew.", "Ok."])
    assert drafts[-1].text == "Aliens (1986) is tense. Ok."
    assert drafts[-1].counts.faults["plot"] == 1
    drafts, _ = _write(linker, ["Alien (1979) is tense. It is about a spacecraft crew."])
    assert drafts[-1].text == "Alien (1979) is tense. It is about a spacecraft crew."


def test_a_sentence_repeating_the_reply_is_sampled_again(linker):
    drafts, _ = _write(
        linker, ["Alien (1979) is great. Alien (1979) is great too.", "Aliens is tense."]
    )
    assert drafts[-1].text == "Alien (1979) is great. Aliens is tense."
    assert drafts[-1].counts.faults["form"] == 1
