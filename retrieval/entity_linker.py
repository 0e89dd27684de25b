"""Links what people write ("I loved alien and Aliens (1986)") to catalog items and people.

Exact matching of normalised word windows does most of the work; fuzzy matching (rapidfuzz)
resolves a single title string, such as an LLM slot value, when the spelling is off.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from retrieval.schema import Item

_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:['’][A-Za-z]+)?")
_YEAR_AFTER = re.compile(r"^\s*\(?\s*((?:19|20)\d\d)\s*\)?")
_ARTICLES = ("the ", "a ", "an ")
_MAX_WORDS = 12
# Single words that are also titles but far more often just words in a sentence.
_COMMON = set(
    """i a an the it its it's up her him me us we you he she they them this that these those
    there here what when where who why how yes no not ok okay hi hello hey thanks thank please
    movie movies film films show something anything nothing everything good great bad fun funny
    love like loved liked watch watched seen see more less light lighter dark scary sure maybe
    one two three first second third last next new old recent classic action comedy drama horror
    romance thriller family animation adventure crime mystery fantasy war western musical music
    sport sports documentary history biography kids children friends home go now then again
    also just really very so too but and or if only all both any some other same such""".split()
)
_STOPWORDS = _COMMON | {"of", "in", "on", "to", "for", "with", "at", "by", "from", "about", "is"}


def normalise(text: str) -> str:
    """Case-, punctuation- and leading-article-insensitive key of a title."""
    key = " ".join(w.lower().replace("’", "'") for w in _WORD.findall(text))
    for article in _ARTICLES:
        if key.startswith(article):
            return key[len(article) :]
    return key


@dataclass
class Mention:
    """A span of the text that names a catalog item."""

    item_id: str
    start: int  # character offsets into the original text
    end: int
    surface: str  # the words as written


class EntityLinker:
    def __init__(self, items: list[Item]) -> None:
        self._items: dict[str, Item] = {}
        self._by_key: dict[str, list[Item]] = defaultdict(list)
        self._people: dict[str, str] = {}
        self._fuzzy_keys: list[str] | None = None
        self.add(items)

    def add(self, items: list[Item]) -> None:
        """Learn new items (item cold start: a movie indexed after start-up can be named)."""
        touched = set()
        for item in items:
            if item.id in self._items:
                continue
            self._items[item.id] = item
            for key in {normalise(item.title), normalise(item.display_title)}:
                self._by_key[key].append(item)
                touched.add(key)
            for group in item.people.values():
                for name in group:
                    if len(name.split()) >= 2:  # one-word names collide with ordinary words
                        self._people[normalise(name)] = name
        for key in touched:
            self._by_key[key].sort(key=lambda it: -(it.popularity or 0.0))  # the famous one is the usual meaning
        if touched:
            self._fuzzy_keys = None

    def sync(self, items: dict[str, Item]) -> None:
        """Add whatever `items` has that the linker does not (cheap when nothing is new)."""
        if len(items) != len(self._items):
            self.add([item for id_, item in items.items() if id_ not in self._items])

    def find_titles(self, text: str) -> list[Mention]:
        """Items named in free text, in order of appearance, longest match first."""
        words = list(_WORD.finditer(text))
        taken = [False] * len(words)
        found: list[Mention] = []
        for size in range(min(_MAX_WORDS, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                span = words[start : start + size]
                item = self._match(text, span)
                if item is not None:
                    taken[start : start + size] = [True] * size
                    found.append(Mention(item.id, span[0].start(), span[-1].end(),
                                         text[span[0].start() : span[-1].end()]))
        found += self._fuzzy_capitalised(text, words, taken)
        return sorted(found, key=lambda m: m.start)

    def _fuzzy_capitalised(self, text: str, words: list[re.Match], taken: list[bool]) -> list[Mention]:
        """Typos in what looks like a title ('The Shinning'): runs of capitalised words that
        matched nothing exactly, resolved fuzzily with a strict cut-off."""
        runs: list[list[re.Match]] = [[]]
        for index, word in enumerate(words):
            token = word.group(0)
            lowered = token.lower()
            if taken[index] or lowered == "and":
                runs.append([])
            elif token[0].isupper() and lowered not in _COMMON - {"the", "a", "an"}:
                runs[-1].append(word)
            elif runs[-1] and lowered in _STOPWORDS:
                runs[-1].append(word)  # "of", "the" inside a title
            else:
                runs.append([])
        found = []
        for run in runs:
            while run and run[-1].group(0).lower() in _STOPWORDS:
                run.pop()  # a title does not end on "of" or "the"
            surface = text[run[0].start() : run[-1].end()] if run else ""
            item = self.resolve(surface, min_score=90.0) if len(surface) >= 6 else None
            if item is not None:
                found.append(Mention(item.id, run[0].start(), run[-1].end(), surface))
        return found

    def _match(self, text: str, span: list[re.Match]) -> Item | None:
        surface = [m.group(0) for m in span]
        key = normalise(" ".join(surface))
        bucket = self._by_key.get(key)
        if not bucket or not _plausible(surface):
            return None
        year = _YEAR_AFTER.match(text[span[-1].end() :])
        if year:
            for item in bucket:
                if item.year == int(year.group(1)):
                    return item
        return bucket[0]

    def find_people(self, text: str) -> list[str]:
        """Full names of catalog people (two words or more) mentioned in the text."""
        key = f" {normalise(text)} "
        return [name for norm, name in self._people.items() if f" {norm} " in key]

    def resolve(self, title: str, min_score: float = 88.0) -> Item | None:
        """The catalog item a title string most likely means, tolerating typos."""
        key = normalise(title)
        if not key:
            return None
        if key in self._by_key:
            return self._by_key[key][0]
        from rapidfuzz import fuzz, process

        if self._fuzzy_keys is None:
            self._fuzzy_keys = list(self._by_key)
        best = process.extractOne(key, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=min_score)
        return self._by_key[best[0]][0] if best else None

    def item(self, item_id: str) -> Item:
        return self._items[item_id]


def _plausible(surface: list[str]) -> bool:
    """Guards against ordinary words that happen to be titles ("it", "up", "her")."""
    lowered = [w.lower() for w in surface]
    if len(surface) == 1:
        word = surface[0]
        return word[0].isupper() and lowered[0] not in _COMMON and len(word) > 2
    if all(w in _STOPWORDS for w in lowered):
        return False
    capitalised = all(w[0].isupper() or w.lower() in _STOPWORDS or w[0].isdigit() for w in surface)
    # Lower-case multi-word titles are accepted when they are long or distinctive enough.
    return capitalised or len(surface) >= 3 or any(
        len(w) >= 5 and w not in _STOPWORDS for w in lowered
    )
