"""IARD user turns as classification examples, split by dialogue.

Each user utterance becomes one example: the agent's previous utterance plus the user's, rendered
by `agent.intent.head.render_input`, labelled by `finetune.intent_labels.intent_of`. Evaluation
uses held-out *gold* dialogues only; training uses the partial file plus the other gold dialogues.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from agent.intent.head import AFTER_LIST, OPENING, render_input
from agent.schema import Intent
from finetune.intent_labels import intent_of

RECOMMEND_ACTS = {"REC-S", "REC-E"}


@dataclass
class IntentExample:
    dialogue_id: str  # IARD conversation_id
    utterance: str  # the user's words
    text: str  # classifier input with the real previous agent utterance
    runtime_text: str  # the same with the context the running agent can know (see head.py)
    label: Intent
    agent_said: str = ""  # the agent's previous utterance, raw
    acts: list[str] = field(default_factory=list)  # IARD acts, before merging
    slots: list[tuple[str, str]] = field(default_factory=list)  # (SLOT, value) pairs, gold


@dataclass
class IntentSplit:
    train: list[IntentExample]
    test: list[IntentExample]
    test_dialogues: list[str]


CLOSING_TURNS = 2  # the user's last utterances, where the partial file's goodbyes are


def load_examples(path: Path, closing_oth_is_end: bool = False) -> list[IntentExample]:
    """Every annotated user turn of an IARD file.

    `closing_oth_is_end`: the partial file has no END act; its annotators tagged goodbyes
    ("Have a good day!", "You too!") as OTH, where the gold file says END. With this flag a
    closing user turn tagged OTH alone counts as END, so the two files agree.
    """
    dialogues = json.loads(Path(path).read_text())
    examples = []
    for dialogue in dialogues:
        agent_said, recommended = OPENING, False
        users = [u for u in dialogue["conversation"] if u["participant"] == "USER"]
        closing = {id(u) for u in users[-CLOSING_TURNS:]}
        for utterance in dialogue["conversation"]:
            acts = utterance.get("dialogue_acts") or []
            names = [a["intent"] for a in acts]
            if utterance["participant"] != "USER":
                agent_said, recommended = utterance["utterance"], bool(RECOMMEND_ACTS & set(names))
                continue
            if not names:
                continue
            if closing_oth_is_end and names == ["OTH"] and id(utterance) in closing:
                names = ["END"]
            examples.append(IntentExample(
                dialogue_id=str(dialogue["conversation_id"]), utterance=utterance["utterance"],
                text=render_input(utterance["utterance"], agent_said),
                runtime_text=render_input(utterance["utterance"],
                                          AFTER_LIST if recommended else OPENING),
                label=intent_of(names), agent_said=agent_said, acts=names,
                slots=[(s[0], s[1]) for a in acts for s in a.get("slot_values") or [] if s[1]],
            ))
    return examples


def split(gold: Path, partial: Path, test_dialogues: int = 30, seed: int = 0) -> IntentSplit:
    """Train on partial + (gold minus `test_dialogues` gold dialogues); test on those only."""
    gold_examples = load_examples(gold)
    ids = sorted({e.dialogue_id for e in gold_examples})
    random.Random(seed).shuffle(ids)
    held = set(ids[:test_dialogues])
    train = load_examples(partial, closing_oth_is_end=True) + [
        e for e in gold_examples if e.dialogue_id not in held]
    test = [e for e in gold_examples if e.dialogue_id in held]
    return IntentSplit(train=train, test=test, test_dialogues=sorted(held))
