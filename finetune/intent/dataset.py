"""IARD user turns as classification examples, split by dialogue.

Each user utterance becomes one example: the agent's previous utterance plus the user's, rendered
by `agent.intent.head.render_input`, labelled by `finetune.intent.labels.intent_of`. Evaluation
uses held-out *gold* dialogues only; training uses the partial file plus the other gold dialogues.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from agent.intent.head import AFTER_LIST, OPENING, render_input
from agent.schema import Intent
from corpora.iard import read_user_turns
from finetune.intent.labels import intent_of


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


def load_examples(path: Path, closing_oth_is_end: bool = False) -> list[IntentExample]:
    """Every annotated user turn of an IARD file (`corpora.iard.read_user_turns`).

    `closing_oth_is_end`: the partial file has no END act; its annotators tagged goodbyes
    ("Have a good day!", "You too!") as OTH, where the gold file says END. With this flag a
    closing user turn tagged OTH alone counts as END, so the two files agree.
    """
    examples = []
    for turn in read_user_turns(path):
        names = turn.acts
        if closing_oth_is_end and names == ["OTH"] and turn.closing:
            names = ["END"]
        agent_said = OPENING if turn.agent_said is None else turn.agent_said
        examples.append(
            IntentExample(
                dialogue_id=turn.dialogue_id,
                utterance=turn.utterance,
                text=render_input(turn.utterance, agent_said),
                runtime_text=render_input(
                    turn.utterance, AFTER_LIST if turn.after_recommendation else OPENING
                ),
                label=intent_of(names),
                agent_said=agent_said,
                acts=names,
                slots=turn.slots,
            )
        )
    return examples


def split(gold: Path, partial: Path, test_dialogues: int = 30, seed: int = 0) -> IntentSplit:
    """Train on partial + (gold minus `test_dialogues` gold dialogues); test on those only."""
    gold_examples = load_examples(gold)
    ids = sorted({e.dialogue_id for e in gold_examples})
    random.Random(seed).shuffle(ids)
    held = set(ids[:test_dialogues])
    train = load_examples(partial, closing_oth_is_end=True) + [
        e for e in gold_examples if e.dialogue_id not in held
    ]
    test = [e for e in gold_examples if e.dialogue_id in held]
    return IntentSplit(train=train, test=test, test_dialogues=sorted(held))
