"""One-line reasons for recommendations, built only from the item's own data and what the user
said, so they are never invented."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agent.domain import MOVIES, ROLE_VERBS, CatalogProfile, credit
from agent.intent.lexicon import FILLER
from agent.schema import DialogueState
from retrieval.schema import Candidate, Item

if TYPE_CHECKING:
    from retrieval.context import RetrievalContext

SIMILAR_ENOUGH = 0.45  # cosine above which "like <liked movie>" is a fair claim


def _people(item: Item) -> set[str]:
    return {name for group in item.people.values() for name in group}


def _role(item: Item, name: str) -> str:
    """The first role `name` has in `item` ('director', 'author', ...)."""
    return next((role for role, names in item.people.items() if name in names), "")


def _shared_person(item: Item, name: str) -> str:
    """'by the same author, X' / 'also directed by X': a shared person cited with their role."""
    role = _role(item, name)
    if ROLE_VERBS.get(role) == "by":
        return f"by the same {role.rstrip('s')}, {name}"
    return f"also {credit(role, name)}"


def _series(item: Item) -> tuple[str, float | None]:
    """(series name, number) from the attributes a catalog loader wrote ("", None: none)."""
    name, number = item.attributes.get("series_name"), item.attributes.get("series_number")
    return (
        name if isinstance(name, str) else "",
        float(number) if isinstance(number, (int, float)) else None,
    )


def _same_series(item: Item, anchor: Item) -> str:
    """'next in the Mistborn series' / 'also in the Mistborn series', or "" when not."""
    (name, number), (other, before) = _series(item), _series(anchor)
    if not name or name != other:
        return ""
    named = name if name.lower().startswith("the ") else f"the {name}"
    if number is not None and before is not None and number - before == 1:
        return f"next in {named} series"
    return f"also in {named} series"


def _kin(item: Item, liked: list[Item]) -> Item | None:
    """The latest liked item of the same series, else one sharing a person."""
    name = _series(item)[0]
    same = [it for it in liked if name and _series(it)[0] == name]
    return next(iter(same), None) or next((it for it in liked if _people(item) & _people(it)), None)


def _a(words: str) -> str:
    """'A comedy' / 'An animation': the article that fits."""
    return f"{'An' if words[:1].lower() in 'aeiou' else 'A'} {words}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class Explainer:
    def __init__(self, context: RetrievalContext, profile: CatalogProfile = MOVIES) -> None:
        self.context = context  # the same items, vectors and co-occurrence the ranker read
        self.profile = profile  # the catalog's roles and noun: never cited as a query word

    def reasons(self, candidates: list[Candidate], state: DialogueState) -> list[str]:
        anchors = self._closest_liked(candidates, state)
        return [
            self._reason(c.item, anchor, state)
            for c, anchor in zip(candidates, anchors, strict=True)
        ]

    def _closest_liked(
        self, candidates: list[Candidate], state: DialogueState
    ) -> list[Item | None]:
        if not state.liked_items or not candidates:
            return [None] * len(candidates)
        liked = state.liked_items[-5:]
        memory = self.context.memory
        similarity = memory.vectors([c.item.id for c in candidates]) @ memory.vectors(liked).T
        items = memory.items()
        anchors = [
            items[liked[int(row.argmax())]] if float(row.max()) >= SIMILAR_ENOUGH else None
            for row in similarity
        ]
        if self.profile.movies:
            return anchors
        # A book of the same series or author is "like" a liked one however far its vector is.
        kin = [_kin(c.item, [items[i] for i in liked[::-1] if i in items]) for c in candidates]
        return [anchor or other for anchor, other in zip(anchors, kin, strict=True)]

    def _reason(self, item: Item, anchor: Item | None, state: DialogueState) -> str:
        parts: list[str] = []
        shared = [g for g in item.genres if g in anchor.genres][:2] if anchor else []
        people = sorted(_people(item) & _people(anchor))[:1] if anchor else []
        fan_of = self._liked_together(item, state)
        series = _same_series(item, anchor) if anchor else ""
        if shared or people or series:
            details = (
                ([series] if series else [])
                + ([f"also {_join(shared)}"] if shared else [])
                + [_shared_person(item, name) for name in people]
            )
            parts.append(f"Like {anchor.display_title}: {', '.join(details)}")
        elif fan_of is not None:
            parts.append(f"Often liked by people who liked {fan_of.display_title}")
        else:
            anchor = None
        wanted = [g for g in item.genres if g in (state.required_genres or state.liked_genres)]
        if wanted and anchor is None:
            parts.append(f"{_a(_join(wanted))} pick, as you asked")
        people = sorted(_people(item) & set(state.liked_people))
        if people:
            credits = _join([credit(_role(item, name), name) for name in people])
            parts.append(credits if parts else credits[0].upper() + credits[1:])
        matched = self._query_words(item, state)
        if matched:
            parts.append(f'matches "{_join(matched)}"')
        if not parts:
            genres = _join(item.genres[:2]) if item.genres else "well-liked"
            parts.append(
                f"A popular {genres} pick" if (item.popularity or 0) > 0 else f"{_a(genres)} pick"
            )
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

    def _query_words(self, item: Item, state: DialogueState) -> list[str]:
        """The user's own words found in the item's title or text (not its labels: 'author'
        is in every book's document), leaving out filler and the catalog's nouns and roles."""
        text = f"{item.title} {item.text}".lower()
        own = {
            self.profile.noun,
            self.profile.plural,
            *self.profile.roles,
            "movie",
            "film",
            "book",
            "item",
            "author",
            "director",
            "star",
            "writer",
        }
        words = {
            w
            for q in state.queries[-2:]
            for w in q.split()
            if len(w) > 3 and w not in FILLER and w not in own
        }
        return sorted(w for w in words if re.search(rf"\b{re.escape(w)}\b", text))[:3]
