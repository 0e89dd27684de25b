"""Builds the retrieval query from the whole dialogue state, not just the last message."""

from __future__ import annotations

from agent.domain import MOVIES, CatalogProfile
from agent.intent.lexicon import THEMES
from agent.schema import DialogueState
from retrieval.schema import ItemFilter, RetrievalQuery


def build_query(
    state: DialogueState,
    k: int,
    dialogue: list[str] | None = None,
    profile: CatalogProfile = MOVIES,
) -> RetrievalQuery:
    """The query for the next picks; `dialogue`: the recent utterances including the message
    being answered (default: the state's `recent`); `profile`: the catalog's item noun."""
    words = list(state.queries[-2:])
    if state.liked_genres or state.required_genres:
        genres = state.required_genres or state.liked_genres
        words.append(" ".join(genres) + " " + profile.noun)
    words += state.liked_people
    return RetrievalQuery(
        text=". ".join(words),
        dialogue=list(state.recent if dialogue is None else dialogue),
        positive_ids=list(state.liked_items),
        negative_ids=list(state.disliked_items),
        liked_genres=_merge(state.required_genres, state.liked_genres),
        liked_people=list(state.liked_people),
        filter=ItemFilter(
            include_genres=list(state.required_genres),
            exclude_genres=list(state.disliked_genres),
            year_min=state.year_min,
            year_max=state.year_max,
            exclude_ids=sorted(state.excluded_items()),
            exclude_text_terms=_theme_terms(state.avoid_themes),
            limits=state.limits,
        ),
        k=k,
        diversity=state.diversity,
    )


def _merge(first: list[str], second: list[str]) -> list[str]:
    return first + [g for g in second if g not in first]


def _theme_terms(themes: list[str]) -> list[str]:
    return list(dict.fromkeys(term for theme in themes for term in THEMES.get(theme, ())))
