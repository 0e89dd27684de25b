"""A templated simulated user: talks about its profile, reacts to what it is shown, and never
says which movie it is hoping for.

What it tells the agent, in this order:
- first message: the genres it is in the mood for (the target's rarest genres, as a seeker would
  say "a horror movie") and one movie it loved;
- after each list without the target, one reaction: "more like the n-th one" for a shown movie
  it loves (from its profile) or that is close to what it wants (cosine to the target at least
  `CLOSE_ENOUGH`), else another movie it loved, else "none of those"; the second message also
  names the era ("from the 1990s");
- when asked a question instead, another movie it loved.

Every message passes `_leaks`, which refuses any text naming the target (title or id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.intent import lexicon
from eval.simulation.profiles import UserProfile
from retrieval.schema import Item

if TYPE_CHECKING:
    from agent.schema import Turn

CLOSE_ENOUGH = 0.6  # cosine to the target above which a shown movie is "more like this"
MAX_GENRES = 2
ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth")


class TargetLeak(AssertionError):
    """A simulated message named the hidden target: a bug in the simulator, never tolerated."""


@dataclass
class SimulatedUser:
    """One user in one conversation. `vectors(ids)` gives unit item embeddings, shape (n, dim)."""

    profile: UserProfile
    items: dict[str, Item]
    vectors: object  # Callable[[list[str]], np.ndarray]; judges closeness to the target
    genre_counts: dict[str, int] = field(default_factory=dict)  # catalog frequency per genre
    use_attributes: bool = True  # say the target's genres and era (else: liked movies only)
    noun: str = "movie"  # what the user asks for; a catalog that is not movies also knows its
    # own genre names ("young adult": agent/attribute_reader.py), so they are said as written
    told: list[str] = field(default_factory=list)  # profile movies already named
    said_era: bool = False

    @property
    def target(self) -> Item:
        return self.items[self.profile.target_id]

    def opening(self) -> str:
        """The first message of the conversation."""
        genres = self._genre_words() if self.use_attributes else []
        article = "an" if genres and genres[0][0] in "aeiou" else "a"
        wish = (
            f"Hi! I'm looking for {article} {' or '.join(genres)} {self.noun}." if genres else "Hi!"
        )
        return self._checked(f"{wish} {self._next_liked('I loved')}".strip())

    def respond(self, turn: Turn) -> str:
        """The reply to the agent's last turn (which did not show the target)."""
        shown = [r.id for r in turn.items] if turn.action == "recommend" else []
        message = self._react(shown) if shown else self._next_liked("I loved") or "Any ideas?"
        if self.use_attributes and not self.said_era and self.target.year:
            self.said_era = True
            message = f"{message.rstrip('.')}, something from the {self._decade()}s."
        return self._checked(message)

    def _react(self, shown: list[str]) -> str:
        loved = [i for i in shown if i in self.profile.liked_ids and i not in self.told]
        if loved:
            self.told.append(loved[0])
            return f"I loved the {_ordinal(shown.index(loved[0]))} one, more like that."
        position, closeness = self._closest(shown)
        if closeness >= CLOSE_ENOUGH:
            return f"More like the {_ordinal(position)} one."
        return self._next_liked("I also loved") or "None of those are for me."

    def _closest(self, shown: list[str]) -> tuple[int, float]:
        import numpy as np

        similarity = self.vectors(shown) @ self.vectors([self.profile.target_id])[0]  # (n,)
        best = int(np.argmax(similarity))
        return best, float(similarity[best])

    def _next_liked(self, lead: str) -> str:
        for item_id in self.profile.liked_ids:
            title = self.items[item_id].display_title
            if item_id not in self.told and not self._names_target(title):
                self.told.append(item_id)
                return f"{lead} {title}."
        return ""

    def _genre_words(self) -> list[str]:
        """The target's rarest genres (the telling ones: "horror" rather than "drama"), in words
        the agent's lexicon knows."""
        known = [g for g in self.target.genres if self._genre_word(g)]
        known.sort(key=lambda g: self.genre_counts.get(g, 0))
        return [self._genre_word(g) for g in known[:MAX_GENRES]]

    def _genre_word(self, genre: str) -> str:
        own = genre.replace("-", " ") if self.noun != "movie" else ""
        return _genre_word(genre) or own

    def _decade(self) -> int:
        return self.target.year // 10 * 10

    def _checked(self, message: str) -> str:
        if _leaks(message, self.target):
            raise TargetLeak(f"simulated message names the target: {message!r}")
        return message

    def _names_target(self, text: str) -> bool:
        return _leaks(text, self.target)


def _leaks(text: str, target: Item) -> bool:
    """True when `text` contains the target's id, or its title as written (whole words, case
    kept, so that a title such as "One" does not match "the first one")."""
    words = re.findall(r"\w+", target.title)
    title = r"\W+".join(re.escape(w) for w in words)
    named = bool(words) and re.search(rf"(?<!\w){title}(?!\w)", text) is not None
    return named or re.search(rf"(?<![\w-]){re.escape(target.id)}(?![\w-])", text) is not None


def _genre_word(genre: str) -> str:
    if lexicon.GENRE_SYNONYMS.get(genre) == [genre]:
        return genre
    return next((w for w, gs in lexicon.GENRE_SYNONYMS.items() if gs == [genre]), "")


def _ordinal(index: int) -> str:
    return ORDINAL_WORDS[index] if index < len(ORDINAL_WORDS) else f"#{index + 1}"
