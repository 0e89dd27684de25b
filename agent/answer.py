"""Answers questions about items ("who is in it?", "is the second one OK for kids?") from the
item's own catalog fields. A question never changes the picks: the agent only answers it.

Reading a question is rules: which topics it asks about (`Topic`) and which items it means (the
referent: a position in the last list, a title, "the Tom Hanks one", or "it"/"that one"). Every
fact in an answer is a field of the item; a field that is missing is said to be missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from agent.domain import MOVIES, CatalogProfile
from agent.intent import lexicon as lx
from agent.schema import DialogueState
from retrieval.entity_linker import EntityLinker, Mention
from retrieval.schema import Item

PLOT_CHARS = 300  # of the item's text quoted in an answer: one or two sentences


class Topic(str, Enum):
    """What a question asks about one item (or two, for COMPARE)."""

    CAST = "cast"
    DIRECTOR = "director"
    WRITER = "writer"
    PLOT = "plot"
    YEAR = "year"
    GENRE = "genre"
    SCARY = "scary"
    VIOLENT = "violent"
    KIDS = "kids"
    DATE = "date"
    COMPARE = "compare"
    OVERVIEW = "overview"  # "tell me about the third one", "what about it?"
    SERIES = "series"  # catalogs with series (books): "is it part of a series?"
    RATING = "rating"  # catalogs with a rating attribute: "how is it rated?"


# Checked in this order; a message may ask several ("what is it about? is it ok for a date?").
_TOPICS: list[tuple[Topic, re.Pattern]] = [
    (
        Topic.COMPARE,
        re.compile(
            r"\bdiffer\w*|\bcompare\w*|\bversus\b|\bvs\.?\s|\bwhich (one )?is "
            r"(better|scarier|funnier|older|newer)"
        ),
    ),
    (
        Topic.CAST,
        re.compile(
            r"\bwho(?:'s| is| was| are)? (?:in|starr?(?:s|ed|ing)?)\b|\bwho "
            r"(?:acts|plays|played|starred|stars)\b|\bcast\b|\bactors?\b|"
            r"\bactress\w*|\bstarring\b"
        ),
    ),
    (Topic.DIRECTOR, re.compile(r"\bdirect(?:ed|or|ors|s)\b|\bwho made\b|\bfilmmaker\b")),
    (
        Topic.WRITER,
        re.compile(
            r"\bwho wrote\b|\bwriters?\b|\bwritten\b|\bauthors?\b|"
            r"\bscreenplay\b|\bscript\b"
        ),
    ),
    (
        Topic.YEAR,
        re.compile(
            r"\bwhen\b|\bwhat year\b|\bwhich year\b|\bhow old\b|\bcome out\b|"
            r"\bcame out\b|\breleased?\b|\brelease date\b"
        ),
    ),
    (
        Topic.SCARY,
        re.compile(
            r"\bscar(?:y|e|es|ed|ier)\b|\bfrighten\w*|\bcreepy\b|\bspooky\b|"
            r"\bterrifying\b|\bnightmares?\b"
        ),
    ),
    (Topic.VIOLENT, re.compile(r"\bviolen\w*|\bgor(?:e|y)\b|\bbloody\b|\bbrutal\b")),
    (
        Topic.KIDS,
        re.compile(
            r"\bkids?\b|\bchild(?:ren)?\b|\bfamily[- ]friendly\b|\bfor (?:the )?"
            r"family\b|\bmy (?:son|daughter|nephew|niece)\b|\bage\b|"
            r"\b\d+[- ]year[- ]olds?\b|\bappropriate\b|\bsuitable\b|\bteens?\b"
        ),
    ),
    (
        Topic.DATE,
        re.compile(
            r"(?<!release )\bdate\b|\bdate night\b|\bromantic evening\b|\bgirlfriend\b|"
            r"\bboyfriend\b|\bwife\b|\bhusband\b|\bpartner\b"
        ),
    ),
    (
        Topic.GENRE,
        re.compile(
            r"\bgenres?\b|\bwhat kind of\b|\bwhat type of\b|\bwhat sort of\b|"
            r"\bis\b.{0,60}\b(?:a|an)\s+(?:"
            + "|".join(re.escape(w) for w in lx.GENRE_SYNONYMS)
            + r")\b"
        ),
    ),
    (
        Topic.PLOT,
        re.compile(
            r"\babout\b(?=\s*(?:[?.!]|$))|\bplot\b|\bwhat happens\b|\bstory\b|"
            r"\bsynopsis\b|\bpremise\b|\bdescribe\b|\btell me (?:more )?about\b|"
            r"\bwhat is (?:it|that|this)\s*\??$"
        ),
    ),
]
# Topics only catalogs that are not movies are asked about: the movie questions stay as measured.
_ATTRIBUTE_TOPICS: list[tuple[Topic, re.Pattern]] = [
    (
        Topic.SERIES,
        re.compile(r"\bseries\b|\bsequels?\b|\bprequels?\b|\bstand-?alone\b|\bstandalone\b"),
    ),
    (
        Topic.RATING,
        re.compile(
            r"\brat(?:ed|ing|ings)\b|\bhow many stars\b|\bstar rating\b|\breviews?\b|"
            r"\bhow good is\b"
        ),
    ),
]
# Messages that ask for items rather than about one ("is there something scary?").
_REQUEST = re.compile(
    r"\brecommend\w*|\bsuggest\w*|\blooking for\b|\bshow me\b|\bgive me\b|\bsomething\b|"
    r"\banother\b|\bmore like\b|\bsimilar\b|\bis there\b|\bare there\b|\bany (?:good |other )?"
    r"(?:movies?|films?|books?|ones?)\b|\bi want\b|\bi'd like\b|\bi need\b|\bfind me\b|"
    r"\bwhat should\b|\binstead\b|\bother (?:movies|films|books)\b"
)
_QUESTION_START = re.compile(
    r"^(?:who|what|whats|what's|when|which|how|is|isn't|was|does|did|"
    r"do|can|could|would|will|should|are|tell me|describe)\b"
)
_PRONOUN = re.compile(r"\b(?:it|that|this|that one|this one|th(?:at|is|e) (?:movie|film|book))\b")
# Words that show a question means some item even when none can be found ("the Tom Hanks one").
_REFERS = re.compile(r"\b(?:it|that one|this one|the \w+(?: \w+)? one|the (?:movie|film|book))\b")
CLARIFY = "Which one do you mean? Name the title or its number in the list."
_ORDINAL = re.compile(
    "|".join(rf"(?<![\w']){re.escape(w)}(?![\w'])" for w in list(lx.ORDINALS) + list(lx.LAST))
)
_OTHER = re.compile(r"\bthe other(?: one)?\b")
# Topics a question may ask without naming its item: "who directed?" means the one discussed.
_IMPLICIT = {
    Topic.CAST,
    Topic.DIRECTOR,
    Topic.WRITER,
    Topic.YEAR,
    Topic.PLOT,
    Topic.GENRE,
    Topic.SERIES,
    Topic.RATING,
}

_ROLES = {  # what each people topic reads, first role present wins (books have authors)
    Topic.CAST: ("star", "stars", "cast", "actor", "actors"),
    Topic.DIRECTOR: ("director", "directors"),
    Topic.WRITER: ("author", "authors", "writer", "writers"),
}
_DARK = ("horror", "war", "crime", "thriller")
_LIGHT = ("family", "animation")
_SCARY_WORDS = re.compile(
    r"\bhorr\w*|\bterror(?!is)\w*|\bterrif\w*|\bhaunt\w*|\bghosts?\b|\bdemon\w*|\bmonsters?\b|"
    r"\bpossess\w*|\bsupernatural\b|\bparanormal\b|\bzombies?\b|\bslasher\w*|\bkillers?\b|"
    r"\bcreatures?\b|\bnightmares?\b|\bsinister\b|\bdeadly\b|\bpredators?\b|\bevil\b"
)
_VIOLENT_WORDS = re.compile(
    r"\bkill\w*|\bmurder\w*|\bviolen\w*|\bgor(?:e|y)\b|\bblood\w*|\bbrutal\w*|\bwars?\b|\bbattle\w*|"
    r"\bsoldiers?\b|\bgangsters?\b|\bhit-?m[ae]n\b|\bassassin\w*|\brevenge\b|\bterroris\w*|"
    r"\bshoot\w*|\bguns?\b|\bhostages?\b|\bexecute\b|\bmob\b|\bcriminal\w*|\bcombat\b"
)
_ROMANCE_WORDS = re.compile(
    r"\b(?:true )?love\b|\bfalls? in love\b|\bromance\b|\bromantic\b|"
    r"\bwedding\b|\bmarr(?:y|ied|iage)\b"
)


@dataclass
class Question:
    """A question about items, read from one message."""

    topics: list[Topic]  # in the order the message asks them
    item_ids: list[str] = field(default_factory=list)  # the referents; first: the one discussed


class Answerer:
    """Reads questions about items and answers them from the items' fields. Stateless: the
    dialogue state is passed in."""

    def __init__(self, linker: EntityLinker, profile: CatalogProfile = MOVIES) -> None:
        self.linker = linker  # the agent's own, so items added later are found
        self.attributes = not profile.movies  # series and rating questions (books)

    def read(
        self, message: str, state: DialogueState, items: dict[str, Item], inquire: bool = False
    ) -> Question | None:
        """The question a message asks about items, or None when it asks none (or asks for
        recommendations). `inquire`: the intent model already read the message as a question."""
        message = " ".join(message.split())
        mentions = _titles(self.linker.find_titles(message))
        lower = message.lower()
        topics = topics_of(_masked(lower, [(m.start, m.end) for m in mentions]), self.attributes)
        if not topics and not inquire:
            return None
        if not (inquire or lower.endswith("?") or _QUESTION_START.match(lower)) or _REQUEST.search(
            lower
        ):
            return None
        ids = self._referents(message, lower, state, items, topics, mentions)
        if not ids and not (topics and _REFERS.search(lower)):
            return None
        return Question(topics or [Topic.OVERVIEW], ids)  # no ids: which one is meant?

    def answer(self, question: Question, items: dict[str, Item]) -> str:
        """One or two sentences per topic, every fact from the items' fields."""
        if not question.item_ids:
            return CLARIFY
        item = items[question.item_ids[0]]
        parts = []
        for topic in question.topics:
            if topic == Topic.COMPARE:
                other = items.get(question.item_ids[1]) if len(question.item_ids) > 1 else None
                parts.append(compare(item, other))
            else:
                parts.append(ANSWERS[topic](item))
        return " ".join(parts)

    def _referents(
        self,
        message: str,
        lower: str,
        state: DialogueState,
        items: dict[str, Item],
        topics: list[Topic],
        mentions: list[Mention],
    ) -> list[str]:
        """Items the message means, in the order it names them."""
        named = [(m.start, m.item_id) for m in mentions]
        positions = _positions(lower, state)
        named += positions
        named += self._person_ones(message, lower, state, items)
        ids = _unique([item_id for _, item_id in sorted(named) if item_id in items])
        current = (
            state.discussed
            if state.discussed in items
            else (state.last_shown[0] if state.last_shown else None)
        )
        implicit = bool(
            _PRONOUN.search(lower) or set(topics) & _IMPLICIT or Topic.COMPARE in topics
        )
        if _ORDINAL.search(lower) and not positions:
            implicit = False  # "the fifth one" of a list of four: ask, never guess
        if not ids and implicit and current:
            ids = [current]
        if Topic.COMPARE in topics and len(ids) == 1:
            pronoun = _PRONOUN.search(lower)
            if pronoun and current and current != ids[0] and pronoun.start() < lower.find(" from "):
                ids = [current] + ids  # "how is it different from Aliens?"
            else:
                ids += self._other(ids[0], current, state, bool(_OTHER.search(lower)))
        return ids

    def _person_ones(
        self, message: str, lower: str, state: DialogueState, items: dict[str, Item]
    ) -> list[tuple[int, str]]:
        """ "The Tom Hanks one": the item of the last list (else one the user liked, else one
        shown earlier) whose people include a person named."""
        found = []
        candidates = _unique(state.last_shown + state.liked_items[::-1] + state.shown_items[::-1])
        for name in self.linker.find_people(message):
            start = lower.find(name.lower())
            for item_id in candidates:
                people = items[item_id].people.values() if item_id in items else []
                if any(name in names for names in people):
                    found.append((max(start, 0), item_id))
                    break
        return found

    @staticmethod
    def _other(first: str, current: str | None, state: DialogueState, other: bool) -> list[str]:
        """The second item of a comparison that names one: the one discussed, else the first
        other item of the last list."""
        if current and current != first and not other:
            return [current]
        return [i for i in state.last_shown if i != first][:1]


def topics_of(lower: str, attributes: bool = False) -> list[Topic]:
    """The topics a (lower-case) message asks about, in the order it asks them; `attributes`:
    also series and rating (catalogs that are not movies)."""
    found = []
    for topic, pattern in _TOPICS + (_ATTRIBUTE_TOPICS if attributes else []):
        match = pattern.search(lower)
        if match:
            found.append((match.start(), topic))
    topics = [topic for _, topic in sorted(found, key=lambda f: f[0])]
    if Topic.COMPARE in topics:
        return [Topic.COMPARE]  # "which is scarier?" compares; it does not ask twice
    if Topic.GENRE in topics and set(topics) & {Topic.SCARY, Topic.KIDS, Topic.DATE, Topic.VIOLENT}:
        topics.remove(Topic.GENRE)  # "is it a good date movie?" is not about the genre
    return topics


def _titles(mentions: list[Mention]) -> list[Mention]:
    """Drops a lower-case "title" made of question words ("good for date night" is not the film
    Date Night) when the message names another title."""
    wordy = [m for m in mentions if m.surface[:1].islower() and topics_of(m.surface.lower())]
    return [m for m in mentions if m not in wordy] if len(wordy) < len(mentions) else mentions


def _masked(lower: str, spans: list[tuple[int, int]]) -> str:
    """Titles blanked out: "Toy Story" asks nothing about a story."""
    for start, end in spans:
        lower = lower[:start] + " " * (end - start) + lower[end:]
    return lower


def _positions(lower: str, state: DialogueState) -> list[tuple[int, str]]:
    """(offset, id) for "the second one", "the last one" in the message."""
    found = []
    for word, number in list(lx.ORDINALS.items()) + [(w, -1) for w in lx.LAST]:
        match = re.search(rf"(?<![\w']){re.escape(word)}(?![\w'])", lower)
        index = len(state.last_shown) - 1 if number == -1 else number - 1
        if match and 0 <= index < len(state.last_shown):
            found.append((match.start(), state.last_shown[index]))
    return found


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


# -- answers ------------------------------------------------------------------------------------


def _names(names: list[str], limit: int = 3) -> str:
    names = names[:limit]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _people(item: Item, topic: Topic) -> list[str]:
    for role in _ROLES[topic]:
        if item.people.get(role):
            return item.people[role]
    return []


def cast(item: Item) -> str:
    stars = _people(item, Topic.CAST)
    if not stars:
        return f"The catalog doesn't say who is in {item.display_title}."
    return f"{item.display_title} stars {_names(stars)}."


def director(item: Item) -> str:
    names = _people(item, Topic.DIRECTOR)
    if not names:
        return f"The catalog doesn't say who directed {item.display_title}."
    return f"{item.display_title} was directed by {_names(names, 2)}."


def writer(item: Item) -> str:
    names = _people(item, Topic.WRITER)
    if not names:
        return f"The catalog doesn't say who wrote {item.display_title}."
    return f"{item.display_title} was written by {_names(names)}."


def plot(item: Item) -> str:
    if not item.text.strip():
        return f"The catalog doesn't say what {item.display_title} is about."
    return f"{item.display_title}: {_snippet(item.text)}"


def year(item: Item) -> str:
    if item.year is None:
        return f"The catalog doesn't say when {item.title} came out."
    return f"{item.title} came out in {item.year}."


def genre(item: Item) -> str:
    if not item.genres:
        return f"The catalog doesn't say what genre {item.display_title} is."
    return f"{item.display_title} is listed as {_names(item.genres, 5)}."


def overview(item: Item) -> str:
    facts = [genre(item) if item.genres else ""]
    authors = _authors(item)
    if authors:
        facts.append(f"It is by {_names(authors)}.")
    directors = _people(item, Topic.DIRECTOR)
    stars = _people(item, Topic.CAST)
    if directors or stars:
        by = f"directed by {_names(directors, 2)}" if directors else ""
        with_ = f"starring {_names(stars)}" if stars else ""
        facts.append(f"It is {' and '.join(p for p in (by, with_) if p)}.")
    facts.append(_snippet(item.text) if item.text.strip() else "")
    text = " ".join(f for f in facts if f)
    return text or f"The catalog says nothing about {item.display_title} beyond its title."


def scary(item: Item) -> str:
    why = _why(item, _SCARY_WORDS)
    if "horror" in item.genres:
        return f"Yes, {item.display_title} is {why}."
    if set(item.genres) & {"thriller", "mystery"} or _SCARY_WORDS.search(item.text.lower()):
        return f"It may be: {item.display_title} is {why}."
    if set(item.genres) & {"family", "animation", "comedy", "romance"}:
        return _calm(item, why, "scary")
    return _unknown(item, "is scary")


def _calm(item: Item, why: str, word: str) -> str:
    """A light genre and a description without `word`'s terms: probably not."""
    return f"Probably not: {item.display_title} is {why}, and nothing in its description sounds {word}."


def violent(item: Item) -> str:
    why = _why(item, _VIOLENT_WORDS)
    if set(item.genres) & {"war", "crime", "horror"} or _VIOLENT_WORDS.search(item.text.lower()):
        return f"Probably yes: {item.display_title} is {why}."
    if "action" in item.genres:
        return f"Likely some action violence: {item.display_title} is {why}."
    if set(item.genres) & {"family", "animation", "comedy", "romance"}:
        return _calm(item, why, "violent")
    return _unknown(item, "is violent")


def kids(item: Item) -> str:
    dark = set(item.genres) & set(_DARK)
    if set(item.genres) & set(_LIGHT) and not dark & {"horror", "war"}:
        return f"Yes, it should be: {item.display_title} is {_why(item, None)}."
    words = _SCARY_WORDS.search(item.text.lower()) or _VIOLENT_WORDS.search(item.text.lower())
    if dark or words:
        return f"Probably not for kids: {item.display_title} is {_why(item, _dark_words())}."
    return _unknown(item, "suits kids")


def date(item: Item) -> str:
    if "romance" in item.genres or _ROMANCE_WORDS.search(item.text.lower()):
        return f"Yes, it's a good date pick: {item.display_title} is {_why(item, _ROMANCE_WORDS)}."
    if set(item.genres) & {"horror", "war"}:
        return f"Only if you both enjoy that: {item.display_title} is {_why(item, _dark_words())}."
    if "comedy" in item.genres:
        return f"Probably, for a light evening: {item.display_title} is {_why(item, None)}."
    return _unknown(item, "is good for a date")


def compare(item: Item, other: Item | None) -> str:
    if other is None:
        return f"Which title would you like to compare {item.display_title} with?"
    sides = [f"{it.display_title} is {_profile(it)}" for it in (item, other)]
    text = f"{sides[0]}, while {sides[1]}."
    shared = [
        n
        for names in item.people.values()
        for n in names
        if any(n in other_names for other_names in other.people.values())
    ]
    if shared:
        text += f" Both have {_names(_unique(shared), 2)}."
    return text


def _profile(item: Item) -> str:
    facts = [f"listed as {_names(item.genres, 4)}" if item.genres else "of no listed genre"]
    if _authors(item):
        facts.append(f"by {_names(_authors(item), 2)}")
    directors = _people(item, Topic.DIRECTOR)
    if directors:
        facts.append(f"directed by {_names(directors, 2)}")
    stars = _people(item, Topic.CAST)
    if stars:
        facts.append(f"starring {_names(stars, 2)}")
    return ", ".join(facts)


def _why(item: Item, words: re.Pattern | None) -> str:
    """ "listed as horror and sci-fi, and its description mentions "deadly"": the evidence."""
    text = f"listed as {_names(item.genres, 4)}" if item.genres else "of no listed genre"
    match = words.search(item.text.lower()) if words is not None else None
    if match:
        text += f', and its description mentions "{match.group(0)}"'
    return text


def _dark_words() -> re.Pattern:
    return re.compile(f"{_SCARY_WORDS.pattern}|{_VIOLENT_WORDS.pattern}")


def _unknown(item: Item, what: str) -> str:
    listed = f" (it is listed as {_names(item.genres, 4)})" if item.genres else ""
    return f"The catalog doesn't say whether {item.display_title} {what}{listed}."


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= PLOT_CHARS:
        return text
    cut = text[:PLOT_CHARS]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > PLOT_CHARS // 2 else cut.rstrip() + "…"


def _authors(item: Item) -> list[str]:
    """A book's authors (movies have none: their answers stay as they were)."""
    return item.people.get("author") or item.people.get("authors") or []


def series(item: Item) -> str:
    name, number = item.attributes.get("series_name"), item.attributes.get("series_number")
    label = item.attributes.get("series")
    if not isinstance(name, str):
        return f"The catalog lists no series for {item.display_title}: it reads as a standalone."
    if isinstance(number, (int, float)) and float(number).is_integer():
        return f"{item.display_title} is book {int(number)} of {_the(name)} series."
    return f"{item.display_title} is part of {_the(name)} series ({label})."


def _the(name: str) -> str:
    return name if name.lower().startswith("the ") else f"the {name}"


def rating(item: Item) -> str:
    value = item.attributes.get("average_rating")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"The catalog doesn't say how {item.display_title} is rated."
    count = f" over {int(item.popularity):,} ratings" if item.popularity else ""
    return f"{item.display_title} is rated {value:.2f} on average{count}."


ANSWERS = {
    Topic.CAST: cast,
    Topic.DIRECTOR: director,
    Topic.WRITER: writer,
    Topic.PLOT: plot,
    Topic.YEAR: year,
    Topic.GENRE: genre,
    Topic.SCARY: scary,
    Topic.VIOLENT: violent,
    Topic.KIDS: kids,
    Topic.DATE: date,
    Topic.OVERVIEW: overview,
    Topic.SERIES: series,
    Topic.RATING: rating,
}
