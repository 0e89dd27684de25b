"""One-line reasons for recommendations, built only from the item's own data and what the user
said, so they are never invented."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.schema import DialogueState
from retrieval.schema import Candidate, Item

if TYPE_CHECKING:
    from retrieval.context import RetrievalContext

SIMILAR_ENOUGH = 0.45  # cosine above which "like <liked movie>" is a fair claim


def _people(item: Item) -> set[str]:
    return {name for group in item.people.values() for name in group}


def _credit(item: Item, name: str) -> str:
    """'directed by X' / 'with X' / 'written by X', from the role the person has in `item`."""
    for role, verb in (("director", "directed by"), ("star", "with"), ("writer", "written by")):
        if name in item.people.get(role, []):
            return f"{verb} {name}"
    return f"with {name}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class Explainer:
    def __init__(self, context: RetrievalContext) -> None:
        self.context = context  # the same items, vectors and co-occurrence the ranker read

    def reasons(self, candidates: list[Candidate], state: DialogueState) -> list[str]:
        anchors = self._closest_liked(candidates, state)
        return [self._reason(c.item, anchor, state) for c, anchor in zip(candidates, anchors, strict=True)]

    def _closest_liked(self, candidates: list[Candidate], state: DialogueState) -> list[Item | None]:
        if not state.liked_items or not candidates:
            return [None] * len(candidates)
        liked = state.liked_items[-5:]
        memory = self.context.memory
        similarity = memory.vectors([c.item.id for c in candidates]) @ memory.vectors(liked).T
        items = memory.items()
        return [
            items[liked[int(row.argmax())]] if float(row.max()) >= SIMILAR_ENOUGH else None
            for row in similarity
        ]

    def _reason(self, item: Item, anchor: Item | None, state: DialogueState) -> str:
        parts: list[str] = []
        shared = [g for g in item.genres if g in anchor.genres][:2] if anchor else []
        people = sorted(_people(item) & _people(anchor))[:1] if anchor else []
        fan_of = self._liked_together(item, state)
        if shared or people:
            detail = f"also {_join(shared)}" if shared else "same people behind it"
            credit = f", {_credit(item, people[0])}" if people else ""
            parts.append(f"Like {anchor.display_title}: {detail}{credit}")
        elif fan_of is not None:
            parts.append(f"Often liked by people who liked {fan_of.display_title}")
        else:
            anchor = None
        wanted = [g for g in item.genres if g in (state.required_genres or state.liked_genres)]
        if wanted and anchor is None:
            parts.append(f"A {_join(wanted)} pick, as you asked")
        people = sorted(_people(item) & set(state.liked_people))
        if people:
            parts.append(f"features {_join(people)}")
        matched = self._query_words(item, state)
        if matched:
            parts.append(f"matches \"{_join(matched)}\"")
        if not parts:
            genres = _join(item.genres[:2]) if item.genres else "well-liked"
            parts.append(f"A popular {genres} choice" if (item.popularity or 0) > 0 else f"A {genres} film")
        return "; ".join(parts) + "."

    def _liked_together(self, item: Item, state: DialogueState) -> Item | None:
        """The liked item that `item` co-occurs with most, if the collaborative model says so."""
        collaborative = self.context.collaborative  # "liked together" evidence, if any
        if collaborative is None:
            return None
        best, weight = None, 0.0
        for liked in state.liked_items[-5:]:
            together = collaborative.pairs.get(liked, {}).get(item.id, 0.0)
            if together > weight:
                best, weight = liked, together
        return self.context.memory.items().get(best) if best else None

    @staticmethod
    def _query_words(item: Item, state: DialogueState) -> list[str]:
        text = item.document().lower()
        words = {w for q in state.queries[-2:] for w in q.split() if len(w) > 3}
        return sorted(w for w in words if w in text)[:3]
