from __future__ import annotations

import json

import pytest

from agent.schema import Intent
from finetune.intent.dataset import load_examples, split
from finetune.intent.labels import ACT_TO_INTENT, ID2LABEL, intent_of
from finetune.intent.metrics import per_label, summary

IARD_USER_ACTS = [
    "IQU",
    "PRO",
    "ACC",
    "REJ",
    "SEE",
    "CRI-A",
    "CRI-F",
    "CRI-C",
    "INQ",
    "ASK",
    "ANS",
    "NRE",
    "CON",
    "REF",
    "END",
    "OTH",
    "STO",
]


def test_every_iard_user_act_lands_on_an_agent_intent():
    assert set(IARD_USER_ACTS) <= set(ACT_TO_INTENT)
    assert [Intent(v) for v in ID2LABEL.values()] == list(Intent)


@pytest.mark.parametrize(
    ("acts", "intent"),
    [
        (["OTH", "IQU"], Intent.REQUEST),  # "Hi, can you help me find a movie"
        (["REJ", "CRI-A"], Intent.CRITIQUE),  # "not horror, what about thrillers"
        (["SEE", "PRO"], Intent.SEEN),  # "seen it and enjoyed it, I like thrillers"
        (["ACC", "END"], Intent.ACCEPT),
        (["STO"], Intent.END),
        (["XYZ"], Intent.CHITCHAT),
    ],
)
def test_several_acts_give_the_most_policy_relevant_intent(acts, intent):
    assert intent_of(acts) == intent


def test_metrics_match_hand_computed_values():
    gold = ["seen", "seen", "accept", "end"]
    predicted = ["seen", "accept", "accept", "seen"]
    table = per_label(gold, predicted, ["seen", "accept", "end"])
    assert table["seen"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert table["accept"]["f1"] == pytest.approx(2 / 3)
    result = summary(gold, predicted, ["seen", "accept", "end", "reject"])
    assert result["accuracy"] == 0.5
    assert result["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0.0) / 3)  # 'reject' is absent


def _dialogue(cid: str, user_acts: list[str]) -> dict:
    return {
        "conversation_id": cid,
        "conversation": [
            {
                "participant": "AGENT",
                "utterance": "How about Alien (1979)?",
                "dialogue_acts": [
                    {"intent": "REC-S", "slot_values": [["TITLE", "Alien", None, None]]}
                ],
            },
            {
                "participant": "USER",
                "utterance": "I have seen it, thanks",
                "dialogue_acts": [{"intent": a, "slot_values": []} for a in user_acts],
            },
        ],
    }


def test_split_holds_out_whole_gold_dialogues_and_keeps_the_agent_context(tmp_path):
    gold, partial = tmp_path / "gold.json", tmp_path / "partial.json"
    gold.write_text(json.dumps([_dialogue(str(i), ["SEE"]) for i in range(10)]))
    partial.write_text(json.dumps([_dialogue("p", ["ACC"])]))
    data = split(gold, partial, test_dialogues=3)
    assert len(data.test_dialogues) == 3 and len(data.test) == 3
    assert {e.dialogue_id for e in data.test}.isdisjoint(e.dialogue_id for e in data.train)
    assert len(data.train) == 8  # the partial dialogue plus 7 gold ones
    example = load_examples(gold)[0]
    assert example.text == "Agent: How about Alien (1979)?\nUser: I have seen it, thanks"
    assert example.runtime_text.startswith("Agent: Here are some movies")
    assert example.label == Intent.SEEN
