"""Dialogue-state tracking: fold one understood message (`UserAct`) into the state."""

from __future__ import annotations

from agent.schema import DialogueState, Intent, UserAct

MAX_QUERIES = 3  # older free-text wishes fade out


def _add(values: list[str], new: list[str]) -> list[str]:
    return values + [v for v in new if v not in values]


def _drop(values: list[str], gone: list[str] | set[str]) -> list[str]:
    return [v for v in values if v not in gone]


class StateTracker:
    """Folds acts into states. Stateless itself: the state is passed in and a new one returned."""

    @staticmethod
    def referents(
        state: DialogueState, positions: list[int], everything: bool = False
    ) -> list[str]:
        """Item ids at 1-based positions of the last list (-1: the last one), or all of it."""
        shown = state.last_shown
        if everything:
            return list(shown)
        ids = []
        for position in positions:
            index = len(shown) - 1 if position == -1 else position - 1
            if 0 <= index < len(shown):
                ids.append(shown[index])
        return ids

    def apply(self, state: DialogueState, act: UserAct) -> tuple[DialogueState, list[str]]:
        """Return the new state and the ids this message refers to (positions or titles)."""
        s = state.model_copy(deep=True)
        s.turns += 1
        refs = self.referents(state, act.positions, act.all_shown)
        more_like = self.referents(state, act.liked_positions)
        liked = _add(list(act.liked_items), more_like)
        disliked = list(act.disliked_items)
        seen = list(act.seen_items)
        if act.intent == Intent.SEEN:
            seen = _add(seen, refs or ([] if seen else state.last_shown[:1]))
        elif act.intent == Intent.REJECT:
            disliked = _add(disliked, refs)
        elif act.intent in (Intent.ACCEPT, Intent.CRITIQUE):
            liked = _add(
                liked, refs or ([] if act.intent == Intent.CRITIQUE else state.last_shown[:1])
            )
        s.liked_items = _add(_drop(s.liked_items, disliked), liked)
        s.disliked_items = _add(_drop(s.disliked_items, liked), disliked)
        s.seen_items = _add(s.seen_items, seen)
        self._genres(s, act)
        s.liked_people = _add(s.liked_people, act.people)
        s.year_min = act.year_min if act.year_min is not None else s.year_min
        s.year_max = act.year_max if act.year_max is not None else s.year_max
        s.limits = s.limits.merged(act.limits)
        if act.query and act.intent in (Intent.PREFERENCE, Intent.REQUEST, Intent.CRITIQUE):
            s.queries = (s.queries + [act.query])[-MAX_QUERIES:]
        return s, _add(refs, liked + disliked + seen)

    @staticmethod
    def _genres(s: DialogueState, act: UserAct) -> None:
        explicit = act.intent in (Intent.PREFERENCE, Intent.REQUEST) and act.liked_genres
        s.disliked_genres = _add(_drop(s.disliked_genres, act.liked_genres), act.disliked_genres)
        s.liked_genres = _drop(
            _add(s.liked_genres, act.liked_genres + act.soft_genres), act.disliked_genres
        )
        # Asking for horror again lifts "nothing scary": a theme goes with its genre.
        wanted = act.liked_genres + act.soft_genres
        s.avoid_themes = _drop(_add(s.avoid_themes, act.avoid_themes), wanted)
        if explicit:
            # "I want a comedy" narrows the results to comedies until the user asks otherwise.
            s.required_genres = list(act.liked_genres)
        s.required_genres = _drop(s.required_genres, act.disliked_genres)
