from __future__ import annotations

import pytest

from agent.intent.llm import LLMIntentModel
from agent.intent.rules import RuleIntentModel
from agent.llm.base import ChatMessage
from agent.llm.scripted import ScriptedModel
from agent.schema import Intent, UserAct
from agent.structured import StructuredOutputError, generate_structured
from retrieval.entity_linker import EntityLinker

ASK = [ChatMessage(role="user", content="classify: seen it")]


def test_invalid_output_is_retried_once_with_the_error():
    llm = ScriptedModel(['{"intent": "watched"}', 'Sure! {"intent": "seen", "positions": [1]}'])
    act = generate_structured(llm, ASK, UserAct)
    assert act.intent == Intent.SEEN and act.positions == [1]
    assert "intent" in llm.prompts[1][-1].content  # the retry names what was wrong


def test_two_invalid_outputs_raise_with_the_attempts():
    llm = ScriptedModel(["no json here", '{"intent": 3}'])
    with pytest.raises(StructuredOutputError) as info:
        generate_structured(llm, ASK, UserAct)
    assert info.value.attempts == ["no json here", '{"intent": 3}']


def test_llm_intent_model_falls_back_to_rules(small_items):
    rules = RuleIntentModel(EntityLinker(small_items), {"horror"})
    model = LLMIntentModel(ScriptedModel(["garbage", "more garbage"]), fallback=rules)
    assert model.propose("not that one", last_shown=5).intent == Intent.REJECT
