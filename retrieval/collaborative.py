"""Collaborative signal: items that people talk about in the same conversations belong together.

Built from dialogues (ReDial's `valid_dialogues.jsonl` and IARD's ReDial dialogues that are not
test dialogues, `finetune/iard_redial.py`; never the test split): every pair of
items mentioned in one dialogue counts once, pairs the seeker said they liked both of count
extra. At query time the items the user named vote for their neighbours with the conditional
frequency P(j | i) = together(i, j) / mentions(i), so a rare seed is not drowned by a popular one.
Stored as JSON next to the index (`<db>/models/cooccurrence.json`).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

LIKED_TOGETHER_BONUS = 1.0  # extra weight of a pair the seeker liked both of
RECENCY_DECAY = 0.8  # each older seed votes 0.8x the next one
FILE_NAME = "cooccurrence.json"


@dataclass
class DialogueMentions:
    """The items of one dialogue, as the collaborative model needs them."""

    dialogue_id: str
    items: list[str]  # item ids in order of first mention
    liked: set[str] = field(default_factory=set)  # ids the seeker said they liked
    suggested: set[str] = field(default_factory=set)  # ids the recommender suggested


@dataclass
class Evidence:
    """What the seeds say about one item: P(item | seed) averaged (recency-weighted), its max over
    seeds, for the seed named last, and the raw pair count (evidence, not a ratio)."""

    related: float = 0.0
    strongest: float = 0.0
    last: float = 0.0
    count: float = 0.0


@dataclass
class CoOccurrence:
    """Symmetric item-item co-occurrence weights and per-item mention counts."""

    pairs: dict[str, dict[str, float]] = field(default_factory=dict)
    mentions: dict[str, float] = field(default_factory=dict)  # dialogues that name each item
    dialogues: int = 0
    suggested: dict[str, float] = field(default_factory=dict)  # dialogues that recommend it

    @classmethod
    def build(
        cls, dialogues: Iterable[DialogueMentions], exclude: set[str] | None = None
    ) -> CoOccurrence:
        """Count pairs over the dialogues whose id is not in `exclude` (held-out folds)."""
        pairs: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        mentions: dict[str, float] = defaultdict(float)
        suggested: dict[str, float] = defaultdict(float)
        total = 0
        for dialogue in dialogues:
            if exclude and dialogue.dialogue_id in exclude:
                continue
            total += 1
            unique = list(dict.fromkeys(dialogue.items))
            for item in unique:
                mentions[item] += 1
                suggested[item] += item in dialogue.suggested
            for a, b in combinations(unique, 2):
                weight = 1.0 + LIKED_TOGETHER_BONUS * (a in dialogue.liked and b in dialogue.liked)
                pairs[a][b] += weight
                pairs[b][a] += weight
        return cls(
            {a: dict(row) for a, row in pairs.items()}, dict(mentions), total, dict(suggested)
        )

    def related(self, seeds: list[str]) -> dict[str, float]:
        """Score of every item that co-occurs with the seeds (oldest first), in [0, ~1+]:
        the recency-weighted mean over seeds of together(seed, item) / mentions(seed)."""
        return {item: evidence.related for item, evidence in self.evidence(seeds).items()}

    def evidence(self, seeds: list[str]) -> dict[str, Evidence]:
        """Everything the seeds (oldest first) say about each co-occurring item, in one pass."""
        out: dict[str, Evidence] = defaultdict(Evidence)
        norm = sum(RECENCY_DECAY**age for age in range(len(seeds)))
        for age, seed in enumerate(reversed(seeds)):
            seen = self.mentions.get(seed, 1.0)
            for item, together in self.pairs.get(seed, {}).items():
                e = out[item]
                e.related += RECENCY_DECAY**age * together / seen / norm
                e.strongest = max(e.strongest, together / seen)
                e.last = together / seen if age == 0 else e.last
                e.count += together
        return dict(out)

    def popularity(self, item_id: str) -> float:
        """log(1 + mentions), the popularity prior counted on the same dialogues."""
        return math.log1p(self.mentions.get(item_id, 0.0))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "dialogues": self.dialogues,
            "mentions": self.mentions,
            "suggested": self.suggested,
            "pairs": self.pairs,
        }
        path.write_text(json.dumps(payload), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> CoOccurrence:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            payload["pairs"],
            payload["mentions"],
            payload["dialogues"],
            payload.get("suggested", {}),
        )
