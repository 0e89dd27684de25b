"""IARD dialogue acts → the agent's `Intent` labels: the mapping the intent head is trained on.

IARD annotates user utterances with 16 acts, several of them too rare (or too close to another)
to learn from ~2,000 utterances. They are merged onto `agent.schema.Intent`, the enum the agent's
policy consumes, so the classifier's labels need no further translation at run time.

| IARD act | meaning | Intent |
|---|---|---|
| IQU | initial query ("can you help me find a movie") | request |
| PRO | provide preference | preference |
| CRI-F, CRI-A, CRI-C | critique: feature / add / change | critique |
| REJ | reject a recommendation | reject |
| SEE | already seen it | seen |
| ACC | accept | accept |
| INQ, ASK | ask about an item / ask the agent's opinion | inquire |
| END, STO | end / stop the conversation | end |
| OTH, ANS, NRE, CON, REF | other, answer, neutral response, continue, refine | chitchat |

An utterance often carries several acts ("Seen it, loved it. Any thrillers?"). Its single label
is the act with the highest `PRIORITY`: the one that changes the policy most.
"""

from __future__ import annotations

from agent.schema import Intent

ACT_TO_INTENT: dict[str, Intent] = {
    "IQU": Intent.REQUEST,
    "PRO": Intent.PREFERENCE,
    "CRI-F": Intent.CRITIQUE,
    "CRI-A": Intent.CRITIQUE,
    "CRI-C": Intent.CRITIQUE,
    "REJ": Intent.REJECT,
    "SEE": Intent.SEEN,
    "ACC": Intent.ACCEPT,
    "INQ": Intent.INQUIRE,
    "ASK": Intent.INQUIRE,
    "END": Intent.END,
    "STO": Intent.END,
    "OTH": Intent.CHITCHAT,
    "ANS": Intent.CHITCHAT,
    "NRE": Intent.CHITCHAT,
    "CON": Intent.CHITCHAT,
    "REF": Intent.CHITCHAT,
}

# Most policy-relevant first: a critique or a "seen it" must not be drowned by a polite "thanks".
PRIORITY: list[Intent] = [
    Intent.CRITIQUE,
    Intent.REQUEST,
    Intent.SEEN,
    Intent.REJECT,
    Intent.INQUIRE,
    Intent.PREFERENCE,
    Intent.ACCEPT,
    Intent.END,
    Intent.CHITCHAT,
]

LABELS: list[Intent] = list(Intent)  # the head's output order: id i is LABELS[i]
ID2LABEL: dict[int, str] = {i: intent.value for i, intent in enumerate(LABELS)}
LABEL2ID: dict[str, int] = {name: i for i, name in ID2LABEL.items()}


def intent_of(acts: list[str]) -> Intent:
    """The single label of an utterance annotated with `acts` (unknown acts count as chitchat)."""
    mapped = {ACT_TO_INTENT.get(act, Intent.CHITCHAT) for act in acts}
    return next((intent for intent in PRIORITY if intent in mapped), Intent.CHITCHAT)
