"""Hidden targets and taste profiles for simulated users, taken from real ReDial seekers.

Each ReDial dialogue records, for every movie mentioned, whether the seeker liked it and whether
the recommender suggested it (`initiatorQuestions`). A simulated user's target is a movie the
recommender suggested and the seeker liked: a recommendation that worked. Their profile is the
other movies that seeker liked, the ones they named themselves first. The target is never part
of the profile.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.schema import Item


@dataclass
class UserProfile:
    """What one simulated user knows about themselves."""

    dialogue_id: str  # the ReDial conversation it came from
    target_id: str  # the movie they are hoping to be offered; never said out loud
    liked_ids: list[str] = field(default_factory=list)  # movies they liked, in the order to tell
    seen_ids: list[str] = field(default_factory=list)  # movies they saw and did not love


def load_profiles(path: Path, items: dict[str, Item], n: int, seed: int = 0) -> list[UserProfile]:
    """Up to `n` profiles, one per dialogue, from ReDial's `valid_dialogues.jsonl`.

    Args:
        path: the dialogues file.
        items: the indexed catalog by id; movies outside it are ignored.
        n: how many users to return.
        seed: picks the dialogues and the target within each.
    """
    by_name = {_key(item.display_title): item.id for item in items.values()}
    rng = random.Random(seed)
    profiles = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            profile = _profile(json.loads(line), by_name, rng)
            if profile is not None:
                profiles.append(profile)
    rng.shuffle(profiles)
    return profiles[:n]


def _profile(dialogue: dict, by_name: dict[str, str], rng: random.Random) -> UserProfile | None:
    answers = dialogue.get("initiatorQuestions") or {}
    mentions = dialogue.get("movieMentions") or {}
    ids = {mid: by_name.get(_key(name)) for mid, name in mentions.items() if name}
    liked = [mid for mid in _seeker_order(dialogue) if _is(answers, mid, "liked") and ids.get(mid)]
    targets = [mid for mid in liked if _is(answers, mid, "suggested")]
    if not targets:
        return None
    target = rng.choice(targets)
    profile_ids = list(dict.fromkeys(ids[mid] for mid in liked if ids[mid] != ids[target]))
    if not profile_ids:
        return None
    seen = [
        ids[mid]
        for mid in answers
        if ids.get(mid)
        and _is(answers, mid, "seen")
        and not _is(answers, mid, "liked")
        and ids[mid] != ids[target]
    ]
    return UserProfile(str(dialogue.get("conversationId", "")), ids[target], profile_ids, seen)


def _seeker_order(dialogue: dict) -> list[str]:
    """Movie ids in the order the seeker's own messages name them, then all other mentions."""
    seeker = dialogue.get("initiatorWorkerId")
    named = [
        token[1:].strip(".,!?")
        for message in dialogue.get("messages", [])
        if message.get("senderWorkerId") == seeker
        for token in message.get("text", "").split()
        if token.startswith("@")
    ]
    others = list((dialogue.get("initiatorQuestions") or {}).keys())
    return list(dict.fromkeys([m for m in named if m in others] + others))


def _is(answers: dict, movie_id: str, question: str) -> bool:
    return (answers.get(movie_id) or {}).get(question) == 1


def _key(name: str) -> str:
    return " ".join(name.split()).lower()
