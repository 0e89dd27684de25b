"""Checks generated text against the facts it was given, one sentence at a time.

A sentence may be shown only if every title it names is among the items given, every person it
names is among those items' people, every year and genre it states matches the item (a
genre may also be one the user asked for: "if you want a comedy, ..."), and what it says a
story is about is in the item's own text. Titles and people are
found by the catalog's entity linker, so an invented sequel or a wrong star is caught even when
it is a real movie or a real actor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from retrieval.entity_linker import EntityLinker, normalise
from retrieval.schema import Item

MAX_WORDS = 45  # a longer "sentence" is a run-on the reader would not want anyway
ECHO_WORDS = 3  # "Thank you!" may repeat the user; a longer sentence said back is an echo
# Words for the catalog's genres ("I like comedies", "a scary one"), mapped to the genre.
GENRE_WORDS = {
    "action": "action",
    "adventure": "adventure",
    "animated": "animation",
    "animation": "animation",
    "cartoon": "animation",
    "comedies": "comedy",
    "comedy": "comedy",
    "funny": "comedy",
    "crime": "crime",
    "documentaries": "documentary",
    "documentary": "documentary",
    "drama": "drama",
    "dramas": "drama",
    "family": "family",
    "kids": "family",
    "fantasy": "fantasy",
    "horror": "horror",
    "scary": "horror",
    "musical": "musical",
    "musicals": "musical",
    "mystery": "mystery",
    "romance": "romance",
    "romantic": "romance",
    "sci-fi": "sci-fi",
    "scifi": "sci-fi",
    "thriller": "thriller",
    "thrillers": "thriller",
    "war": "war",
    "western": "western",
    "westerns": "western",
}
# Words that claim a genre in a sentence about an item. "funny", "scary", "kids" and "family"
# describe a mood or an audience as often as a genre, so they are not held against the item.
_CLAIMS = {w: g for w, g in GENRE_WORDS.items() if w not in {"funny", "scary", "kids", "family"}}
_GENRE_RE = re.compile(r"\b(" + "|".join(map(re.escape, _CLAIMS)) + r")\b", re.IGNORECASE)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_PAREN_YEAR = re.compile(r"\(\s*((?:19|20)\d\d)\s*\)")
# A name after a cue ("directed by Jane Doe", "starring John Smith"): caught even when the
# person is in no catalog, which the linker cannot see.
_CUED_NAME = re.compile(
    r"\b(?:directed by|starring|stars|actor|actress|director|written by)\s+"
    r"((?:[A-Z][\w'.-]+)(?:\s+[A-Z][\w'.-]+)+)"
)
_OFF = re.compile(
    r"\b(as an ai|language model|i'm sorry|i am sorry|sorry for your|prompt|assistant|"
    r"user:|you:|act:|items:|state:|dialogue:)",
    re.IGNORECASE,
)
# "It is about ...", "the story of ...": what follows is a claim about the plot, held against
# the items' own text. The words of an invented plot ("about a space explorer", of a linguist
# meeting aliens) are not in it.
_PLOT = re.compile(
    r"\b(?:is|are|was|it's|its) about\b|\bstory (?:of|about)\b|\bfollows\b", re.IGNORECASE
)
_PLAIN = frozenset(
    "that this these with from they them their there have what when where which while into "
    "movie movies film films book books story really very just great good little some other "
    "also will would been being your like much more most about who whom whose".split()
)
# No sentence ends after these: "Mr. Smith Goes to Washington", "St. Elmo's Fire".
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "no", "vol"}


@dataclass
class Verdict:
    """Whether a sentence may be shown, and if not, the kind of fault and its detail."""

    ok: bool
    kind: str = ""  # "title", "year", "person", "genre", "plot", "form" ("" when ok)
    detail: str = ""  # what was wrong, for logs and benchmark samples
    named: tuple[Item, ...] = ()  # the items a passing sentence names: what "it" is next


PASS = Verdict(True)


def split_sentences(text: str) -> tuple[list[str], str]:
    """(complete sentences, unfinished rest). A sentence is complete once its end mark is
    followed by a space or a line break, so a streamed "(2016)." is not cut at "(2016"."""
    sentences, start = [], 0
    for match in re.finditer(r"[.!?]+[\"')\]]*(\s+)|\n+", text):
        end = match.start(1) if match.group(1) is not None else match.start()
        candidate = text[start:end].strip()
        last = re.findall(r"(\w+)\.$", candidate)
        if last and last[0].lower() in _ABBREVIATIONS:
            continue
        if candidate:
            sentences.append(candidate)
        start = match.end()
    return sentences, text[start:]


def sentences_of(pieces: Iterable[str]) -> Iterator[str]:
    """Complete sentences from a stream of text pieces, as soon as each is complete; the
    rest when the stream ends. A space before a stop is dropped: ReDial's text has
    "@123 ." where a mention ends a sentence, and the generator sometimes copies it."""
    buffer = ""
    for piece in pieces:
        buffer += piece
        done, buffer = split_sentences(buffer)
        yield from (_tight(sentence) for sentence in done)
    if buffer.strip():
        yield _tight(buffer.strip())


def _tight(sentence: str) -> str:
    return re.sub(r"\s+([.,!?])", r"\1", sentence)


class GroundingChecker:
    """Checks sentences against the items given for a reply. Shares the agent's linker."""

    def __init__(self, linker: EntityLinker) -> None:
        self.linker = linker

    def check(
        self,
        sentence: str,
        items: list[Item],
        wanted_genres: Iterable[str] = (),
        mentioned: Iterable[Item] = (),
        said: Iterable[str] = (),
        subject: Iterable[Item] = (),
        before: Iterable[str] = (),
    ) -> Verdict:
        """May `sentence` be shown, when `items` are the items given for the reply?

        Args:
            sentence: one sentence of generated text.
            items: the items the reply presents, with their facts.
            wanted_genres: genres the user asked for, which the sentence may repeat.
            mentioned: items the user named and liked ("since you loved Alien, ..."): they may
                be named again, with their own year and genres, but their people are not given.
            said: the utterances of the dialogue so far: a sentence that repeats one of them
                word for word is an echo ("Great, anything animated?" said back to the user).
            subject: the items the previous sentence named (its verdict's `named`): a sentence
                that names none ("It is about a linguist.") is about them.
            before: the sentences of this reply already shown: one that says nothing new ("I
                haven't seen that one. I haven't seen that one either.") is a repeat.
        """
        form = _form(sentence) or _echo(sentence, said) or _repeat(sentence, before)
        if form is not None:
            return form
        named, verdict = self._titles(sentence, list(items) + list(mentioned))
        if not verdict.ok:
            return verdict
        # "It came out in 1999": about the item just named, else about the items given
        about = named or list(subject) or items
        for check in (
            _years(sentence, about, items),
            self._people(sentence, items),
            _genres(sentence, about, set(wanted_genres)),
            _plot(sentence, about),
        ):
            if not check.ok:
                return check
        return Verdict(True, named=tuple(named))

    def _titles(self, sentence: str, items: list[Item]) -> tuple[list[Item], Verdict]:
        """The items of `items` the sentence names; a fault if it names any other."""
        by_key = {normalise(k): item for item in items for k in (item.title, item.display_title)}
        given = {item.id: item for item in items}
        named: list[Item] = []
        spans = []
        for mention in self.linker.find_titles(sentence):
            # A namesake of a given item ("Dune" the 1984 one) is the given item by its title.
            item = given.get(mention.item_id) or by_key.get(normalise(mention.surface))
            if item is None:
                return [], Verdict(False, "title", f"names an item not given: {mention.surface}")
            after = _PAREN_YEAR.match(sentence[mention.end :].lstrip())
            if after and item.year and int(after.group(1)) != item.year:
                return [], Verdict(False, "year", f"{item.title} is from {item.year}")
            named.append(item)
            spans.append((mention.start, mention.end))
        for year in _PAREN_YEAR.finditer(sentence):
            # "(2016)" must close a title named just before it (or be part of its span).
            if not any(_closes(year, start, end, sentence) for start, end in spans):
                return [], Verdict(False, "title", f"a title not given before {year.group(0)}")
        return list({item.id: item for item in named}.values()), PASS

    def _people(self, sentence: str, items: list[Item]) -> Verdict:
        allowed = {normalise(n) for item in items for names in item.people.values() for n in names}
        named = self.linker.find_people(sentence) + _CUED_NAME.findall(sentence)
        titles = {normalise(item.title) for item in items}
        for name in named:
            key = normalise(name)
            if key not in allowed and key not in titles:
                return Verdict(False, "person", f"names a person not in the items: {name}")
        return PASS


def _closes(year: re.Match, start: int, end: int, sentence: str) -> bool:
    if start <= year.start() < end:
        return True
    return end <= year.start() and not sentence[end : year.start()].strip()


def _form(sentence: str) -> Verdict | None:
    """A fault of form: empty, run-on, looping, prompt words, raw mention ids."""
    words = sentence.split()
    if not words:
        return Verdict(False, "form", "empty")
    if len(words) > MAX_WORDS:
        return Verdict(False, "form", f"{len(words)} words")
    if len(words) >= 8 and len({w.lower() for w in words}) < 0.5 * len(words):
        return Verdict(False, "form", "repeats itself")
    if _OFF.search(sentence) or re.search(r"@\d", sentence):
        return Verdict(False, "form", "off-topic or prompt text")
    return None


def _echo(sentence: str, said: Iterable[str]) -> Verdict | None:
    """A fault when a sentence of 3 words or more is found word for word in the dialogue."""
    words = _words(sentence)
    if len(words.split()) < ECHO_WORDS:
        return None
    if any(f" {words} " in f" {_words(utterance)} " for utterance in said):
        return Verdict(False, "form", "repeats the dialogue")
    return None


# Words that make a repeat sound new without adding anything.
_ADDS_NOTHING = frozenset({"either", "too", "also", "again", "as", "well", "so", "and"})


def _repeat(sentence: str, before: Iterable[str]) -> Verdict | None:
    """A fault when every word of the sentence (but fillers) was in one sentence shown before."""
    words = set(_words(sentence).split()) - _ADDS_NOTHING
    if words and any(words <= set(_words(earlier).split()) for earlier in before):
        return Verdict(False, "form", "repeats the reply")
    return None


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _years(sentence: str, about: list[Item], items: list[Item]) -> Verdict:
    """A year stated must be the year of an item the sentence is about."""
    years = {item.year for item in about} | {item.year for item in items if not about}
    for match in _YEAR.finditer(sentence):
        if int(match.group(1)) not in years:
            return Verdict(False, "year", f"{match.group(1)} is no given item's year")
    return PASS


def _genres(sentence: str, about: list[Item], wanted: set[str]) -> Verdict:
    """A genre stated must be one of the items' genres, or one the user asked for."""
    genres = {g for item in about for g in item.genres} | {g.lower() for g in wanted}
    for match in _GENRE_RE.finditer(sentence):
        genre = _CLAIMS[match.group(1).lower()]
        if genre not in genres:
            return Verdict(False, "genre", f"{match.group(1)} does not fit the items")
    return PASS


def _plot(sentence: str, about: list[Item]) -> Verdict:
    """What a sentence says a story is about must be in the items' text: more than half of its
    content words, compared by a crude stem ("horses" is "horse", "space" is not "spacecraft")."""
    match = _PLOT.search(sentence)
    if match is None:
        return PASS
    claim = [w for w in re.findall(r"[a-z]+", sentence[match.end() :].lower()) if len(w) > 3]
    claim = [_stem(w) for w in claim if w not in _PLAIN]
    if not claim:
        return PASS
    told = " ".join(f"{item.title} {item.text}" for item in about).lower()
    stems = {_stem(w) for w in re.findall(r"[a-z]+", told)}
    if 2 * sum(1 for w in claim if w in stems) <= len(claim):
        return Verdict(False, "plot", f"about {' '.join(claim)}: not in the items' text")
    return PASS


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
