"""IARD's intent annotations (`<data>/iard/iard_gold.json`, `iard_partial.json`): every user
turn with its dialogue acts, slot values and what the agent said just before.

The files hold a list of dialogues, each `{"conversation_id", "conversation": [{"participant":
"USER" | "AGENT", "utterance", "dialogue_acts": [{"intent", "slot_values"}]}]}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

RECOMMEND_ACTS = {"REC-S", "REC-E"}
CLOSING_TURNS = 2  # the user's last utterances, where the partial file's goodbyes are


@dataclass
class UserTurn:
    """One annotated user utterance."""

    dialogue_id: str  # IARD conversation_id
    utterance: str  # the user's words
    acts: list[str] = field(default_factory=list)  # IARD acts, in annotation order
    slots: list[tuple[str, str]] = field(default_factory=list)  # (SLOT, value) pairs with a value
    agent_said: str | None = None  # the agent's previous utterance; None: the user spoke first
    after_recommendation: bool = False  # that utterance recommended (REC-S or REC-E)
    closing: bool = False  # among the user's last CLOSING_TURNS utterances of the dialogue


def read_user_turns(path: Path) -> list[UserTurn]:
    """Every user turn of an IARD file that carries at least one act, in file order."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IARD file not found: {path}")
    turns = []
    for dialogue in json.loads(path.read_text(encoding="utf-8")):
        agent_said, recommended = None, False
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
            turns.append(
                UserTurn(
                    dialogue_id=str(dialogue["conversation_id"]),
                    utterance=utterance["utterance"],
                    acts=names,
                    slots=[(s[0], s[1]) for a in acts for s in a.get("slot_values") or [] if s[1]],
                    agent_said=agent_said,
                    after_recommendation=recommended,
                    closing=id(utterance) in closing,
                )
            )
    return turns
