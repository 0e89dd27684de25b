"""Rule-based understanding: catalog entity linking plus lexicons. Fast (~10 ms), predictable,
and the fallback whenever a learned intent model is absent or fails."""

from __future__ import annotations

import re

from agent.domain import CatalogProfile
from agent.intent import lexicon as lx
from agent.schema import Intent, UserAct
from retrieval.entity_linker import EntityLinker, Mention

# A title the user clearly names: quoted, or capitalised words, right after a cue ("I loved
# Amélie", 'have you seen "Amélie"').
_NAMED_AFTER_CUE = re.compile(
    r"(?:\b(?:seen|saw|watched|loved|liked|like|love|enjoyed|hated|do you have|have you got|"
    r"what about|how about|tell me about|heard of|is there|directed|wrote|who is in|who's in|"
    r"stars in|what is|what's)|,|\band\b|\bor\b)\s+"
    r"(?:[\"“‘«]([^\"”’»]{2,60})[\"”’»]"
    r"|((?:[A-Z\u00C0-\u00DE][\w'’\u00C0-\u024F-]*)"
    r"(?:\s+(?:(?:of|the|a|an|in|on|to|for|with)\s+)*[A-Z0-9\u00C0-\u00DE][\w'’\u00C0-\u024F-]*)*))"
)
_NOT_TITLES = {"i", "it", "that", "this", "them", "those", "movies", "movie", "films", "film"}
_CLAUSE_BREAK = re.compile(r"[.;!?]|,|\bbut\b|\bthough\b|\bhowever\b")


def _has(text: str, phrases) -> bool:
    return any(re.search(rf"(?<![\w']){re.escape(p)}(?![\w'])", text) for p in phrases)


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The words before and after a span, up to the nearest clause break on each side."""
    before = _CLAUSE_BREAK.split(text[:start])[-1]
    after = _CLAUSE_BREAK.split(text[end:])[0]
    return before.lower(), after.lower()


class RuleIntentModel:
    """Proposes a `UserAct` from a message without any model."""

    def __init__(
        self, linker: EntityLinker, genres: set[str], profile: CatalogProfile | None = None
    ) -> None:
        self.linker = linker
        self.genres = genres  # the catalog's genre names; others are never proposed
        # Movie-only words ("classic" = before 1990) fire only when the catalog says movies.
        self.profile = profile or CatalogProfile()

    def propose(self, message: str, last_shown: int = 0, agent_said: str = "") -> UserAct:
        text = " ".join(message.split())
        lower = text.lower()
        # "date night" is a mood even in a catalog that has a movie called "Date Night".
        mentions = [m for m in self.linker.find_titles(text) if not _inside_mood(lower, m.start)]
        act = UserAct(intent=Intent.CHITCHAT, people=self.linker.find_people(text))
        self._titles(text, mentions, act)
        act.unknown_titles = _unknown_titles(text, mentions, act.people)
        act.ambiguous_items = [m.item_id for m in mentions if m.ambiguous]
        masked = self._mask(lower, mentions)
        self._genres_and_moods(masked, act)
        self._audience(masked, act)
        self._years(masked, act)
        self._positions(lower, act)
        act.query = self._query(masked, act)
        act.intent = self._intent(lower, act, bool(mentions), last_shown)
        if act.intent not in (Intent.PREFERENCE, Intent.REQUEST, Intent.CRITIQUE):
            act.query = ""
        if act.intent in (Intent.SEEN, Intent.REJECT) and act.liked_items:
            # "I've seen Alien" / "not Alien": the named title is the referent, not a like.
            target = act.seen_items if act.intent == Intent.SEEN else act.disliked_items
            target += [i for i in act.liked_items if i not in target]
            act.liked_items = []
        return act

    def _titles(self, text: str, mentions: list[Mention], act: UserAct) -> None:
        for mention in mentions:
            item_id = mention.item_id
            before, after = _clause(text, mention.start, mention.end)
            if _has(before, lx.SEEN_CUES) or _has(before, ("seen", "watched", "saw")):
                act.seen_items.append(item_id)
                if _has(before + after, lx.POSITIVE_CUES) and not _has(before, lx.NEGATORS):
                    act.liked_items.append(item_id)
            elif _has(before, lx.NEGATORS) or _has(after, lx.NEGATORS):
                act.disliked_items.append(item_id)
            else:
                act.liked_items.append(item_id)

    @staticmethod
    def _mask(lower: str, mentions: list[Mention]) -> str:
        """Blank out title spans so that 'Aliens' the movie is not read as a genre word."""
        for mention in sorted(mentions, key=lambda m: -m.start):
            lower = (
                lower[: mention.start] + " " * (mention.end - mention.start) + lower[mention.end :]
            )
        return lower

    def _genres_and_moods(self, lower: str, act: UserAct) -> None:
        for phrase, mood in lx.MOODS.items():
            if _has(lower, (phrase,)):
                self._add_mood(mood, act)
        for word, genres in lx.GENRE_SYNONYMS.items():
            for match in re.finditer(rf"(?<![\w']){re.escape(word)}(?![\w'])", lower):
                if _inside_mood(lower, match.start()):
                    continue
                before = " ".join(lower[: match.start()].split()[-4:])
                negative = _has(before, lx.NEGATORS) and not _has(before, ("not only",))
                target = act.disliked_genres if negative else act.liked_genres
                target += [g for g in genres if g in self.genres]
        act.liked_genres = sorted(set(act.liked_genres) - set(act.disliked_genres))
        act.disliked_genres = sorted(set(act.disliked_genres))
        act.soft_genres = sorted(set(act.soft_genres) - set(act.disliked_genres))

    def _add_mood(self, mood: lx.Mood, act: UserAct) -> None:
        act.soft_genres += [g for g in mood.prefer if g in self.genres]
        act.disliked_genres += [g for g in mood.avoid if g in self.genres]
        act.avoid_themes += [t for t in mood.themes if t not in act.avoid_themes]

    def _audience(self, lower: str, act: UserAct) -> None:
        """'with my 8 year old': a family pick with nothing violent, scary or explicit."""
        for match in lx.AGE.finditer(lower):
            age = match.group(1)
            years = int(age) if age.isdigit() else lx.WORD_AGES[age]
            self._add_mood(lx.MOODS["for kids"] if years <= lx.KIDS_UNTIL else lx.TEEN, act)
        act.liked_genres = sorted(set(act.liked_genres) - set(act.disliked_genres))
        act.soft_genres = sorted(set(act.soft_genres) - set(act.disliked_genres))
        act.disliked_genres = sorted(set(act.disliked_genres))

    def _years(self, lower: str, act: UserAct) -> None:
        lower = lx.AGE.sub(" ", lower)  # "my 8 year old" is an age, not a year
        for pattern, kind in lx.YEAR_RANGE_PATTERNS:
            for match in pattern.finditer(lower):
                if kind == "decade word":
                    start = lx.DECADE_WORDS[match.group(1)]
                    act.year_min, act.year_max = start, start + 9
                elif kind == "decade":
                    century = match.group(1) or ("20" if match.group(2) in "012" else "19")
                    start = int(century + match.group(2) + "0")
                    act.year_min, act.year_max = start, start + 9
                elif kind == "min":
                    act.year_min = int(match.group(1))
                else:
                    act.year_max = int(match.group(1))
        if act.year_min is None and _has(lower, lx.RECENT_WORDS):
            act.year_min = 2010
        if act.year_max is None and self.profile.movies and _has(lower, lx.OLD_WORDS):
            act.year_max = 1989

    @staticmethod
    def _positions(lower: str, act: UserAct) -> None:
        # Clause by clause, so that "seen the first, more like the third" splits correctly.
        for clause in re.split(r"[,;.]|\bbut\b|\band\b(?= (?:more|something|not|seen|i))", lower):
            found = [(clause.find(w), n) for w, n in lx.ORDINALS.items() if _has(clause, (w,))]
            numbers = [n for _, n in sorted(set(found))] + ([-1] if _has(clause, lx.LAST) else [])
            wants_more = _has(clause, lx.MORE_LIKE_CUES) or (
                _has(clause, lx.POSITIVE_CUES) and not _has(clause, lx.NEGATORS + lx.SEEN_CUES)
            )
            (act.liked_positions if wants_more else act.positions).extend(numbers)
        act.all_shown = _has(lower, lx.ALL_OF_THEM)

    def _query(self, lower: str, act: UserAct) -> str:
        wishes = [m.words for phrase, m in lx.MOODS.items() if m.words and _has(lower, (phrase,))]
        lower = lx.AGE.sub(" ", lower)
        for phrase in (
            list(lx.MOODS) + list(lx.GENRE_SYNONYMS) + list(lx.ORDINALS) + list(lx.DECADE_WORDS)
        ):
            lower = re.sub(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", " ", lower)
        for name in act.people:
            lower = lower.replace(name.lower(), " ")
        words = re.findall(r"[a-z][a-z'-]+", lower)
        negators = {w for n in lx.NEGATORS for w in n.split()}
        content = [w for w in words if w not in lx.FILLER and w not in negators and len(w) > 2]
        # A mood's own words ("heartwarming") lean the ranking towards items whose text fits.
        return " ".join(dict.fromkeys(content + " ".join(wishes).split()))

    @staticmethod
    def _intent(lower: str, act: UserAct, named: bool, last_shown: int) -> Intent:
        refers = bool(act.positions or act.liked_positions or act.all_shown) and last_shown > 0
        prefs = bool(
            act.liked_genres
            or act.disliked_genres
            or act.people
            or act.year_min
            or act.soft_genres
            or act.avoid_themes
            or act.year_max
            or act.liked_items
            or act.disliked_items
        )
        if _has(lower, lx.END_CUES) and len(lower.split()) <= 8:
            return Intent.END
        if (
            (refers or named)
            and (_has(lower, lx.INQUIRE_CUES) or lower.endswith("?"))
            and not (
                _has(lower, lx.MORE_LIKE_CUES) or _has(lower, lx.SEEN_CUES) or prefs and not refers
            )
        ):
            return Intent.INQUIRE
        if _has(lower, lx.SEEN_CUES) or act.seen_items:
            return Intent.SEEN
        if (_has(lower, lx.MORE_LIKE_CUES) or act.liked_positions) and (refers or named):
            return Intent.CRITIQUE
        if last_shown and any(_has(lower, (m,)) for m in lx.MOODS):
            return Intent.CRITIQUE
        if _has(lower, lx.REJECT_CUES) or lower.strip(" .!") in ("no", "nah", "nope"):
            return Intent.REJECT
        if last_shown and _has(lower, lx.ACCEPT_CUES) and not prefs:
            return Intent.ACCEPT
        if prefs or act.query:
            return (
                Intent.REQUEST if _has(lower, lx.REQUEST_CUES) and not named else Intent.PREFERENCE
            )
        if _has(lower, lx.REQUEST_CUES):
            return Intent.REQUEST
        return Intent.CHITCHAT


def _unknown_titles(text: str, mentions: list[Mention], people: list[str]) -> list[str]:
    """Titles named after a cue that matched no catalog item (as written), so the reply can say
    the catalog lacks them instead of ignoring them."""
    unknown: list[str] = []
    named_ends = [m.end for m in mentions]  # "Alien and X": a list goes on after a title
    for match in _NAMED_AFTER_CUE.finditer(text):
        group = 1 if match.group(1) else 2
        title, start, end = match.group(group).strip(), match.start(group), match.end(group)
        words = title.lower().split()
        joined = match.group(0)[0] in ",ao"  # after a separator, not a cue word
        if joined and not any(text[e : match.start()].strip() == "" for e in named_ends):
            continue
        if (
            any(m.start < end and start < m.end for m in mentions)
            or not words
            or words[0] in _NOT_TITLES
            or title.lower() in lx.GENRE_SYNONYMS
            or any(name.lower() in title.lower() for name in people)
        ):
            continue
        unknown.append(title)
        named_ends.append(end)
    return unknown


def _inside_mood(lower: str, position: int) -> bool:
    """True when a genre word is part of a mood phrase ('too scary' is handled as a mood)."""
    for phrase in lx.MOODS:
        for match in re.finditer(re.escape(phrase), lower):
            if match.start() <= position < match.end():
                return True
    return False
