"""Wishes that a catalog's own fields make possible and the lexicon (agent/intent) does not know:

- its genres outside the lexicon: "not young adult", "some non-fiction", "a graphic novel";
- its series: "like Mistborn" (a series named for its first book), "a standalone, not a
  series", "the first of a series", "the next one in the series", "a different series";
- its people: "by Brandon Sanderson", "by Sanderson", "nothing by Stephen King", "more by the
  same author", "a different author";
- its numeric attributes: "rated above 4.2", "4.5 stars or more", "highly rated".

It extends the act an intent model proposed (`read`), so every intent model gets it. Movie
catalogs keep the act as proposed: their reading is measured (ReDial, scripted suite, simulated
users) and stays as measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.domain import CatalogProfile
from agent.intent import lexicon as lx
from agent.schema import DialogueState, Intent, UserAct
from retrieval.entity_linker import EntityLinker, normalise
from retrieval.schema import AttributeLimits, Item

SERIES = "series"  # attribute keys the catalog loaders write (retrieval/catalog/goodbooks.py)
SERIES_NAME = "series_name"
SERIES_NUMBER = "series_number"
HIGH_RATING_QUANTILE = 0.75  # "highly rated": better rated than three items in four
SURNAME_SHARE = 0.8  # a last name means the person with this share of its ratings

# Catalog genre -> more ways to say it (its own name, with spaces for hyphens, always counts).
GENRE_WORDS: dict[str, tuple[str, ...]] = {
    "young-adult": ("ya", "young adult", "teen", "teens", "teenage"),
    "non-fiction": ("nonfiction", "non fiction", "true story", "true stories"),
    "children": ("children's", "childrens", "children's books", "picture book", "picture books"),
    "humor": ("humour", "humorous", "funny", "hilarious", "comedy", "comedic"),
    "graphic-novels": ("graphic novel", "comic", "comics", "manga"),
    "classics": ("classic",),
    "memoir": ("memoirs",),
    "historical-fiction": ("historical novel", "historical novels"),
    "literary-fiction": ("literary",),
    "short-stories": ("short story", "anthology"),
    "dystopian": ("dystopia", "dystopias", "post-apocalyptic", "post apocalyptic"),
    "paranormal": ("supernatural",),
    "vampires": ("vampire",),
    "poetry": ("poems",),
    "religion": ("religious", "christian", "spiritual"),
    "self-help": ("self help",),
    "mythology": ("myths", "myth"),
    "erotica": ("erotic",),
    "middle-grade": ("middle grade",),
    "urban-fantasy": ("urban fantasy",),
}
# Mood phrases of the lexicon -> (genres leaned towards, genres ruled out) for the genres a
# book catalog has and the lexicon's moods cannot name (it names movie genres).
MOOD_GENRES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "darker": (("dark",), ("children", "middle-grade")),
    "dark": (("dark",), ("children",)),
    "grim": (("dark",), ("children",)),
    "scarier": (("horror", "dark"), ("children", "middle-grade")),
    "lighter": (("humor",), ("horror", "dark")),
    "funnier": (("humor",), ()),
    "cozy": (("humor",), ("horror", "dark")),
    "for kids": (("children", "middle-grade"), ("erotica", "horror")),
}
_NEGATORS = tuple(lx.NEGATORS) + ("other than", "anything but")
_OTHER = ("different", "other", "another", "new")  # "a different author": not that one
_WORD = re.compile(r"[a-z0-9][a-z0-9'.-]*")
_ABOVE = r"above|over|more than|higher than|greater than|at least|min(?:imum)?|>=?|≥"
_BELOW = r"below|under|less than|lower than|at most|max(?:imum)?|<=?|≤"
_NUMBER = r"(?P<n>\d(?:\.\d+)?)(?![\d])"
_RATED = r"rated|ratings?|rate|scor(?:e|ed|ing)|stars?|average|reviews?"
_RATINGS = [
    re.compile(rf"\b(?:{_RATED})\s+(?:of\s+|is\s+|at\s+)?(?P<op>{_ABOVE}|{_BELOW})\s*{_NUMBER}"),
    re.compile(
        rf"(?P<op>{_ABOVE}|{_BELOW})\s*{_NUMBER}\s*(?:stars?|rating|average|/\s*5|out of 5)"
    ),
    re.compile(rf"\b{_NUMBER}\s*(?:\+|stars? or (?P<op>more|higher|above|better))"),
    re.compile(
        rf"\b(?:{_RATED})\s+(?:of\s+)?{_NUMBER}\s*(?:stars?\s*)?or\s+"
        r"(?P<op>more|higher|above|better|less|lower|below|under)\b"
    ),
]
_HIGHLY_RATED = re.compile(
    r"\b(?:highly|well|best|top|higher|high)[- ]rat(?:ed|ings?)\b|\bgreat reviews\b"
)
_STANDALONE = re.compile(
    r"\bstand[- ]?alones?\b|\bnot (?:part of |in |from )?(?:a |any )?series\b|\bno series\b|"
    r"\bsingle (?:book|novel|volume)s?\b|\bone[- ]offs?\b|\bwithout (?:a )?series\b"
)
_FIRST_OF_SERIES = re.compile(
    r"\b(?:first|1st) (?:book |one |novel )?(?:in|of) a (?:new )?series\b|"
    r"\bstart (?:a|another|a new) series\b|\bnew series to (?:start|read|begin)\b"
)
_A_SERIES = re.compile(
    r"\b(?:a|new|whole|long|another|good|great|book|fantasy|finished) series\b|"
    r"\bpart of a series\b|\bseries to (?:start|read|binge)\b"
)
_SAME_SERIES = re.compile(
    r"\b(?:same|that|this|the) series\b|\bsequels?\b|\bnext (?:one|book|part|installment)\b|"
    r"\brest of (?:the|that|this) series\b"
)
_OTHER_SERIES = re.compile(
    r"\b(?:different|other|another|new) series\b|\bnot (?:from |in )?(?:the |that |this )?"
    r"(?:same )?series\b|\boutside (?:the|that|this) series\b|\bno more (?:from|of) (?:the|that|"
    r"this) series\b"
)
_BY = re.compile(r"(?:\bby|\bfrom|\bwritten by|\bof)\s*$")


@dataclass
class _Vocabulary:
    """What one version of the catalog lets a user name, read once per version."""

    genres: dict[str, str] = field(default_factory=dict)  # phrase -> genre the lexicon misses
    series: dict[str, str] = field(default_factory=dict)  # normalised series name -> first book
    surnames: dict[str, str] = field(default_factory=dict)  # unique last name -> full name
    rating_key: str | None = None  # the numeric attribute "rated" means
    rating_range: tuple[float, float] = (0.0, 0.0)
    high_rating: float = 0.0  # what "highly rated" means in this catalog


@dataclass
class _Reading:
    """What `read` found, before it is folded into the act."""

    liked_genres: list[str] = field(default_factory=list)
    disliked_genres: list[str] = field(default_factory=list)
    soft_genres: list[str] = field(default_factory=list)
    liked_items: list[str] = field(default_factory=list)
    disliked_items: list[str] = field(default_factory=list)
    named_series: list[str] = field(default_factory=list)  # as written, for unknown_titles
    limits: AttributeLimits = field(default_factory=AttributeLimits)
    used: list[str] = field(default_factory=list)  # words read here: not free-text wishes

    def found(self) -> bool:
        return bool(
            self.liked_genres
            or self.disliked_genres
            or self.soft_genres
            or self.liked_items
            or self.disliked_items
            or not self.limits.is_empty()
        )


class AttributeReader:
    """Extends proposed acts with the catalog's own attributes. Stateless between messages
    but for the vocabulary, which follows the catalog (items added while chatting count)."""

    def __init__(self, profile: CatalogProfile, linker: EntityLinker) -> None:
        self.profile = profile  # movie catalogs: nothing is read here
        self.linker = linker  # the agent's own: finds titles and people as the rules do
        self._items: dict[str, Item] | None = None
        self._vocabulary = _Vocabulary()

    def read(
        self, message: str, act: UserAct, state: DialogueState, items: dict[str, Item]
    ) -> UserAct:
        """The act with what this catalog's attributes add to it (the act itself when none).

        Args:
            message: what the user wrote.
            act: what the intent model proposed for it.
            state: the state before the message (what "same author" and "it" refer to).
            items: the catalog by id.
        """
        if self.profile.movies or not message.strip():
            return act
        vocabulary = self._vocabulary_of(items)
        text = " ".join(message.split())
        lower = text.lower()
        titles = self.linker.find_titles(text)
        masked = _masked(lower, [(m.start, m.end) for m in titles])
        reading = _Reading()
        self._series_names(text, masked, vocabulary, reading)
        self._genres(masked, vocabulary, reading)
        self._ratings(masked, vocabulary, reading)
        self._series_limits(masked, act, state, items, reading)
        self._people(text, masked, act, state, items, vocabulary, reading)
        return _extended(act, reading) if reading.found() else act

    # -- vocabulary ---------------------------------------------------------------------------

    def _vocabulary_of(self, items: dict[str, Item]) -> _Vocabulary:
        if items is not self._items:
            self._items, self._vocabulary = items, _vocabulary(items.values())
        return self._vocabulary

    # -- what a message says ------------------------------------------------------------------

    @staticmethod
    def _series_names(text: str, masked: str, vocabulary: _Vocabulary, reading: _Reading) -> None:
        """ "I loved Mistborn": a series named as written (capitalised) stands for its first
        book, when no title was found there."""
        for key, first in vocabulary.series.items():
            if key not in masked:
                continue  # a plain test first: thousands of series, one message
            for match in re.finditer(rf"(?<![\w']){re.escape(key)}(?![\w'])", masked):
                written = text[match.start() : match.end()]
                if not written[:1].isupper() or _everyday(key):
                    continue
                negated = _negated(masked[: match.start()])
                (reading.disliked_items if negated else reading.liked_items).append(first)
                reading.named_series.append(written)
                reading.used += key.split()

    @staticmethod
    def _genres(masked: str, vocabulary: _Vocabulary, reading: _Reading) -> None:
        taken: list[tuple[int, int]] = []
        for phrase in sorted(vocabulary.genres, key=len, reverse=True):
            for match in re.finditer(rf"(?<![\w']){re.escape(phrase)}(?![\w'-])", masked):
                span = (match.start(), match.end())
                if any(s < span[1] and span[0] < e for s, e in taken):
                    continue  # "young adult fantasy": "young adult" once
                if masked[span[1] :].startswith(" fiction") and phrase == "science":
                    continue
                taken.append(span)
                genre = vocabulary.genres[phrase]
                negated = _negated(masked[: span[0]])
                (reading.disliked_genres if negated else reading.liked_genres).append(genre)
                reading.used += phrase.split()
        genres = set(vocabulary.genres.values()) | {"dark", "humor", "horror", "children"}
        for phrase, (prefer, avoid) in MOOD_GENRES.items():
            if re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", masked):
                reading.soft_genres += [g for g in prefer if g in genres]
                reading.disliked_genres += [g for g in avoid if g in genres]

    @staticmethod
    def _ratings(masked: str, vocabulary: _Vocabulary, reading: _Reading) -> None:
        key = vocabulary.rating_key
        if key is None:
            return
        low, high = vocabulary.rating_range
        for pattern in _RATINGS:
            for match in pattern.finditer(masked):
                value = float(match["n"])
                if not low <= value <= high:
                    continue  # "over 2010" is a year, "above 9" no rating here
                op = match.groupdict().get("op") or "more"
                below = re.fullmatch(f"{_BELOW}|less|lower", op)
                limits = reading.limits.maximum if below else reading.limits.minimum
                limits[key] = value
                reading.used += match.group(0).split()
        if not reading.limits.minimum and _HIGHLY_RATED.search(masked):
            reading.limits.minimum[key] = vocabulary.high_rating
            reading.used += ["highly", "rated", "well", "best", "top", "high", "higher"]

    def _series_limits(
        self,
        masked: str,
        act: UserAct,
        state: DialogueState,
        items: dict[str, Item],
        reading: _Reading,
    ) -> None:
        limits = reading.limits
        if _STANDALONE.search(masked):
            limits.absent.append(SERIES)
        elif _FIRST_OF_SERIES.search(masked):
            limits.present.append(SERIES)
            limits.maximum[SERIES_NUMBER] = 1.0
        elif _A_SERIES.search(masked):
            limits.present.append(SERIES)
        if SERIES in limits.absent or SERIES in limits.present:
            reading.used += ["standalone", "stand-alone", "series", "first", "start", "book"]
            return
        other, same = _OTHER_SERIES.search(masked), _SAME_SERIES.search(masked)
        if not (other or same):
            return
        referent = self._referent(act, state, items, reading)
        name = items[referent].attributes.get(SERIES_NAME) if referent else None
        if not isinstance(name, str):
            return
        if other:
            limits.none_of[SERIES_NAME] = [name]
        else:
            limits.one_of[SERIES_NAME] = [name]
            limits.present.append(SERIES)  # lifts an earlier "a standalone"
        reading.used += ["series", "same", "next", "sequel", "sequels", "rest", "other"]

    def _people(
        self,
        text: str,
        masked: str,
        act: UserAct,
        state: DialogueState,
        items: dict[str, Item],
        vocabulary: _Vocabulary,
        reading: _Reading,
    ) -> None:
        limits = reading.limits
        lower = text.lower()
        names = list(act.people) + [
            full
            for last, full in vocabulary.surnames.items()
            if full not in act.people and re.search(rf"\bby {re.escape(last)}\b", masked)
        ]
        for name in names:
            start = lower.find(name.lower())
            if start < 0:
                start = masked.find(name.split()[-1].lower())
            before = masked[: max(start, 0)]
            if _negated(" ".join(before.split()[-3:])):
                limits.not_people.append(name)
            elif _BY.search(before) or name not in act.people:
                limits.people.append(name)
        roles = "|".join(re.escape(r.rstrip("s")) for r in self.profile.roles)
        if not roles:
            return
        same = re.search(
            rf"\b(?:same|that|this|the) (?:{roles})s?\b|\bmore (?:books )?(?:by|from) "
            rf"(?:him|her|them|this|that)\b|\b(?:different|other|another|new) (?:{roles})s?\b",
            masked,
        )
        if not same:
            return
        referent = self._referent(act, state, items, reading)
        people = [n for names in items[referent].people.values() for n in names] if referent else []
        if not people:
            return
        wording = same.group(0)
        if _negated(masked[: same.start()]) or wording.split()[0] in _OTHER:
            limits.not_people += people
        else:
            limits.people = people
        reading.used += wording.split()

    @staticmethod
    def _referent(
        act: UserAct, state: DialogueState, items: dict[str, Item], reading: _Reading
    ) -> str | None:
        """The item "the same author/series" is the same as: one named now, one pointed at in
        the last list, the one discussed, the latest liked, else the first shown."""
        pointed = [
            state.last_shown[p - 1 if p > 0 else -1]
            for p in act.liked_positions + act.positions
            if state.last_shown and -1 <= p <= len(state.last_shown) and p != 0
        ]
        candidates = (
            act.liked_items
            + reading.liked_items
            + pointed
            + ([state.discussed] if state.discussed else [])
            + state.liked_items[::-1]
            + state.last_shown[:1]
        )
        return next((i for i in candidates if i in items), None)


def _vocabulary(items) -> _Vocabulary:
    """Read what a catalog lets a user name: its genres the lexicon misses, series, people's
    last names and a rating attribute."""
    known = {g for genres in lx.GENRE_SYNONYMS.values() for g in genres}
    vocabulary = _Vocabulary()
    series: dict[str, tuple[float, str]] = {}
    surnames: dict[str, dict[str, float]] = {}  # last name -> full name -> popularity
    ratings: dict[str, list[float]] = {}
    for item in items:
        for genre in item.genres:
            if genre not in known:
                for phrase in (genre, genre.replace("-", " "), *GENRE_WORDS.get(genre, ())):
                    vocabulary.genres.setdefault(phrase, genre)
        _add_series(item, series)
        for names in item.people.values():
            for name in names:
                if len(name.split()) >= 2:
                    known = surnames.setdefault(name.split()[-1].lower(), {})
                    known[name] = known.get(name, 0.0) + (item.popularity or 0.0)
        for key, value in item.attributes.items():
            if "rating" in key.lower() and isinstance(value, (int, float)):
                ratings.setdefault(key, []).append(float(value))
    vocabulary.series = {key: first for key, (_, first) in series.items()}
    vocabulary.surnames = {
        last: name
        for last, names in surnames.items()
        if not _everyday(last) and (name := _famous(names))
    }
    if ratings:
        key, values = max(ratings.items(), key=lambda kv: len(kv[1]))
        values.sort()
        vocabulary.rating_key, vocabulary.rating_range = key, (0.0, max(values))
        vocabulary.high_rating = round(values[int(HIGH_RATING_QUANTILE * (len(values) - 1))], 2)
    return vocabulary


def _famous(names: dict[str, float]) -> str | None:
    """The one a last name means ("Sanderson": Brandon, not Peter): the person with nearly all
    of its readers, if any."""
    name, share = max(names.items(), key=lambda kv: kv[1])
    total = sum(names.values())
    return name if total > 0 and share >= SURNAME_SHARE * total else None


def _add_series(item: Item, series: dict[str, tuple[float, str]]) -> None:
    """Keep, per series, its lowest-numbered book (a boxed set, numbered "#1-3", never)."""
    name, number = item.attributes.get(SERIES_NAME), item.attributes.get(SERIES_NUMBER)
    if not isinstance(name, str) or not isinstance(number, (int, float)):
        return
    key = normalise(name)
    if key and (key not in series or number < series[key][0]):
        series[key] = (float(number), item.id)


def _everyday(words: str) -> bool:
    """A name made only of everyday words ("Night", "Gone"): too common to be read as a name."""
    return all(w in lx.FILLER or w in lx.GENRE_SYNONYMS or len(w) <= 2 for w in words.split())


def _negated(before: str) -> bool:
    """The few words before a phrase negate it ("not young adult", "nothing by X")."""
    words = " ".join(before.split()[-4:])
    return any(re.search(rf"(?<![\w']){re.escape(n)}(?![\w'])", words) for n in _NEGATORS)


def _masked(lower: str, spans: list[tuple[int, int]]) -> str:
    """Titles blanked out: "The Young Adult Handbook" asks for no genre."""
    for start, end in spans:
        lower = lower[:start] + " " * (end - start) + lower[end:]
    return lower


def _extended(act: UserAct, reading: _Reading) -> UserAct:
    """The act with the reading folded in; the words read here leave the free-text wish."""
    disliked = set(act.disliked_genres) | set(reading.disliked_genres)
    used = {w.strip(".,!?") for w in reading.used} | {w for w in reading.used}
    named = [n.lower() for n in reading.named_series]
    not_people = set(reading.limits.not_people)
    intent = act.intent
    if intent == Intent.CHITCHAT and reading.found():
        intent = Intent.PREFERENCE  # "not young adult" states a wish, whatever the model said
    return act.model_copy(
        update={
            "intent": intent,
            "liked_items": _merge(act.liked_items, reading.liked_items),
            "disliked_items": _merge(act.disliked_items, reading.disliked_items),
            "liked_genres": sorted(set(act.liked_genres + reading.liked_genres) - disliked),
            "disliked_genres": sorted(disliked),
            "soft_genres": sorted(set(act.soft_genres + reading.soft_genres) - disliked),
            "people": [p for p in _merge(act.people, reading.limits.people) if p not in not_people],
            "unknown_titles": [
                t for t in act.unknown_titles if not any(n in t.lower() for n in named)
            ],
            "query": " ".join(w for w in act.query.split() if w not in used),
            "limits": act.limits.merged(reading.limits),
        }
    )


def _merge(first: list[str], second: list[str]) -> list[str]:
    return first + [i for i in second if i not in first]
