"""Links what people write ("I loved alien and Aliens (1986)") to catalog items and people.

Exact matching of normalised word windows does most of the work; fuzzy matching (rapidfuzz)
resolves a single title string, such as an LLM slot value, when the spelling is off.

Precision matters as much as recall: a title made of everyday words ("Sounds Good", "Date
Night", "Up") must not turn "sounds good, thanks" or "something for date night" into a
preference. A span links when it reads as a title: quoted or followed by "(year)"; capitalised
as a title (a single everyday word also needs a cue: "loved It"); cued ("seen/loved/like X",
"X was great"); in a list with a linked title ("Finding Nemo, Up"); or, in lower case,
distinctive (two or more words, not all everyday: "the silence of the lambs"). Typos are
forgiven after a cue and in capitalised runs. Among same-titled items the message's year or
people decide, else popularity and the fame of the leads. Measured by benchmarks/linking.py.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrieval.schema import Item

if TYPE_CHECKING:
    from retrieval.memory import ItemMemory

_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:['’][A-Za-z]+)?")
_YEAR_IN_PARENS = re.compile(r"\s*\(\s*(?:19|20)\d\d\s*\)")
_YEAR_AFTER = re.compile(r"^\s*\(?\s*((?:19|20)\d\d)\s*\)?")
_ARTICLES = ("the ", "a ", "an ")
_MAX_WORDS = 12
# Single words that are also titles but far more often just words in a sentence.
_COMMON = set(
    """
    i a an the it its it's up her him me us we you he she they them this that these those
    there here what when where who why how yes no not ok okay hi hello hey thanks thank
    please movie movies film films show something anything nothing everything good great bad
    fun funny love like loved liked watch watched seen see more less light lighter dark
    scary sure maybe one two three first second third last next new old recent classic
    action comedy drama horror romance thriller family animation adventure crime mystery
    fantasy war western musical music sport sports documentary history biography kids
    children friends home go now then again also just really very so too but and or if only
    all both any some other same such
    """.split()
)
_STOPWORDS = _COMMON | {"of", "in", "on", "to", "for", "with", "at", "by", "from", "about", "is"}
# Words of everyday replies ("sounds good", "got it", "fair enough", "never mind"): a short title
# made only of these and of `_STOPWORDS` needs quotes or title case to count as a title.
_EVERYDAY = _STOPWORDS | set(
    """
    am are was were be been being do does did done don't doesn't didn't can can't could
    would should will won't shall may might must have has had having i'm i've i'll i'd
    you're that's what's let let's sounds sound looks look looking seems seem feel feels
    think thought guess know knew mean means get gets got getting give gave take took make
    made try tried tell told say said want wanted need needed wait keep mind care bet agree
    suppose hope wish well yeah yep yup nope nah alright right wrong fine nice cool awesome
    perfect excellent amazing wonderful lovely brilliant interesting neat enough true real
    much many lot lots bit little ever never always still already yet sorry bye goodbye
    cheers welcome course fair else either neither same way kind sort pretty quite rather
    awful terrible boring
    """.split()
)
_EVERYDAY_SPAN = 3  # longer word runs are rarely small talk ("you can't take it with you")
# Plain English words: a title made only of these and `_EVERYDAY` ("Date Night", "Get Out",
# "Home Alone", "Big") is linked in lower case only when cued ("loved get out") or listed.
_PLAIN = _EVERYDAY | set(
    """
    day days night nights time times year years week weekend morning evening tonight today
    tomorrow yesterday life world home house room door school work job game games play man
    men woman women girl girls boy boys guy guys baby kid child mom mother dad father son
    daughter brother sister wife husband friend family people person name star stars king
    queen god heart head face eye eyes hand hands body mind soul love hate war peace money
    gold power fire water air earth sun moon sky sea river road city town country land place
    way end start story book song word words dream dreams truth secret secrets lie lies game
    party date wedding birthday holiday christmas summer winter spring fall dog dogs cat
    cats horse bird animal animals black white red blue green big small little long short
    high low hot cold dark light young old new last first best better worst real true free
    full open close dead alive happy sad mad bad good great nice wild crazy strange hard
    easy fast slow rich poor alone together away back down out off over under up inside
    outside around again tonight eight year-old five six seven nine ten hundred thousand run
    go come came get take put set let stop hold turn walk talk fly fall die kill live stay
    leave find lost win chase hope fear trust change rush drive ride break catch push pull
    show watch look see hear others other actors actor movie movies film films kind type
    mood ending thing things night's man's big bigger last nothing something everything
    anything someone everyone sound sounds good-bye hello hi thanks tv series season episode
    part my our your his their favorite favourite rock perfect going coming getting style
    road trip almost absolutely back front side top bottom street car train plane ship boat
    trip actually because goes taste superhero murder laugh before after kid story stories
    sweet stuff call
    """.split()
)
_FUNCTION_WORDS = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "nor",
    "but",
    "of",
    "in",
    "on",
    "to",
    "for",
    "with",
    "at",
    "by",
    "from",
    "about",
    "as",
    "into",
    "is",
}  # lower case in titles
_DETERMINERS = _FUNCTION_WORDS | {
    "my",
    "our",
    "your",
    "his",
    "their",
    "this",
    "that",
    "these",
    "those",
    "some",
    "any",
}
_NOT_SHOUTING = {"i", "or", "and"}  # capitalised for other reasons ("Alien Or Die Hard")
_PRONOUNS = {"i", "me", "you", "he", "him", "she", "we", "us", "they", "them", "it"}
_CUE_BEFORE = re.compile(
    r"\b(?:seen|saw|see|watched|watch|watching|loved|liked|like|love|enjoyed|enjoy|hated|hate|"
    r"recommend|called|titled|movie|film|what about|how about|such as|into|try|check out|"
    r"favou?rite(?: movie| film| one)? is|similar to|especially|fan of|remake of|sequel to|"
    r"what is|what's|than)\s+"
    r"(?:the\s+(?:movie|film)\s+)?$",
    re.IGNORECASE,
)
_CUE_AFTER = re.compile(
    r"\s*(?:is|was|were)\s+(?:a|an|one|another|so|really|great|good|amazing|awesome|funny|fun|"
    r"cute|hilarious|scary|creepy|sad|boring|classic|iconic|excellent|my|the best|pretty|also|"
    r"on)\b",
    re.IGNORECASE,
)
# A word before a title that picks among same-titled items by age.
_AGE_BEFORE = re.compile(
    r"\b(new|newer|newest|latest|recent|original|old|older|first)\s+(?:one\s+of\s+)?"
    r"(?:the\s+)?(?:movie\s+|film\s+)?$",
    re.IGNORECASE,
)
# A word followed by these names a kind of item ("alien movies"), not a title.
_KIND_AFTER = re.compile(r"\s+(?:movies|films|flicks|ones|type|genre|fans?)\b", re.IGNORECASE)
_LIST_GAP = re.compile(r"\s*(?:,|&|/|\band\b|\bor\b|,\s*and\b|,\s*or\b)\s*", re.IGNORECASE)
_GAP = re.compile(r"[\s:'’&-]*")  # what may stand between two words of one title
_OPENING_QUOTES = "\"“‘'«"
_CLOSING_QUOTES = "\"”’'»"


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
    ambiguous: bool = False  # other items share the title and no year was written after it


@dataclass
class _Context:
    """What a message says that picks among same-titled items."""

    years: set[int]  # years written anywhere in the message
    people: set[str]  # normalised names of catalog people it names


class EntityLinker:
    def __init__(self, items: list[Item], words: frozenset[str] | None = None) -> None:
        """Args:
        items: the catalog.
        words: ordinary dictionary words (default: the local embedding model's vocabulary,
            `retrieval/vocabulary.py`); a lower-case title word outside it is a coined title
            ("superbad") or a typo ("inceptin")."""
        from retrieval.vocabulary import dictionary_words

        self._words = dictionary_words() if words is None else words
        self._synced: Mapping[str, Item] | None = None  # the catalog `sync` last read
        self._version = -1  # the catalog version `follow` last read
        self._clear()
        self.add(items)

    def _clear(self) -> None:
        self._items: dict[str, Item] = {}
        self._by_key: dict[str, list[Item]] = defaultdict(list)
        self._people: dict[str, str] = {}  # normalised full name -> the name as written
        # first word of a normalised name -> those names: a text is matched against the names
        # that start with one of its words, not against every name (tens of thousands)
        self._people_by_word: dict[str, list[str]] = defaultdict(list)
        self._person_rank: dict[str, int] = {}  # normalised name -> when it was first seen
        # each lead's summed popularity over the catalog: orders same-titled items
        self._fame: dict[str, float] = defaultdict(float)
        self._title_words: set[str] = set()  # every word of every title: not a typo
        self._fuzzy_keys: list[str] | None = None

    def add(self, items: list[Item]) -> None:
        """Learn new items (item cold start: a movie indexed after start-up can be named)."""
        touched = set()
        for item in items:
            if item.id in self._items:
                continue
            self._items[item.id] = item
            for name in _leads(item):
                self._fame[name] += item.popularity or 0.0
            for key in {normalise(item.title), normalise(item.display_title)}:
                self._by_key[key].append(item)
                touched.add(key)
                self._title_words.update(key.split())
            for group in item.people.values():
                for name in group:
                    if len(name.split()) >= 2:  # one-word names collide with ordinary words
                        self._add_person(name)
        for key in touched:
            # The famous one is the usual meaning: popularity, then how known its people are
            # (ReDial mentions split "The Notebook" between the 2004 film and a 2013 namesake).
            self._by_key[key].sort(key=lambda it: -_renown(it, self._fame))
        if touched:
            self._fuzzy_keys = None

    def sync(self, items: Mapping[str, Item], changed: set[str] | None = None) -> None:
        """Follow the catalog: learn items added since, forget deleted ones and re-read changed
        ones (free when `items` is the very catalog object of the last call).

        Args:
            changed: the ids that may differ from the last call, when known (seconds faster
                than comparing the catalog at 1M items).
        """
        if items is self._synced:
            return
        self._synced = items
        if changed is not None:
            self._forget([id_ for id_ in changed if id_ in self._items])
            self.add([items[id_] for id_ in sorted(changed) if id_ in items])
            return
        if any(items.get(id_) != item for id_, item in self._items.items()):
            self._clear()  # deleted or changed items: rebuilding is simpler than unpicking
        self.add([item for id_, item in items.items() if id_ not in self._items])

    def follow(self, memory: ItemMemory) -> None:
        """`sync` with the in-memory catalog, re-reading only what changed since the last call."""
        version = memory.version  # before the items: a change after it is read again next time
        if version == self._version:
            return
        changed = None if self._version < 0 else memory.index.changed_since(self._version)
        self.sync(memory.items(), changed)
        self._version = version

    def _forget(self, ids: list[str]) -> None:
        """Unlearn items' titles (their people stay known as names: harmless)."""
        for id_ in ids:
            item = self._items.pop(id_)
            for name in _leads(item):
                self._fame[name] -= item.popularity or 0.0
            for key in {normalise(item.title), normalise(item.display_title)}:
                bucket = [it for it in self._by_key.get(key, []) if it.id != id_]
                if bucket:
                    self._by_key[key] = bucket
                else:
                    self._by_key.pop(key, None)
        if ids:
            self._fuzzy_keys = None

    def find_titles(self, text: str) -> list[Mention]:
        """Items named in free text, in order of appearance, longest match first.

        A span links when it reads as a title: quoted, capitalised, cued ("loved X", "seen X"),
        in a list with another title, or distinctive on its own; names of people are skipped."""
        words = list(_WORD.finditer(text))
        people = self.find_people(text)
        taken = self._people_words(text, words, people)
        context = _Context(
            {int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text)},
            {normalise(name) for name in people},
        )
        found: list[Mention] = []
        pending: list[tuple[int, int, list[Item], Item]] = []  # link only in a list of titles
        firm = list(taken)  # what the fuzzy passes may not reuse: people and linked titles
        named = list(taken)  # people's names only
        for size in range(min(_MAX_WORDS, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                span = words[start : start + size]
                bucket = self._by_key.get(normalise(" ".join(m.group(0) for m in span)))
                if not bucket:
                    continue
                verdict = _reads_as_title(text, span, self._words)
                if verdict is False:
                    continue
                taken[start : start + size] = [True] * size
                if verdict is True:
                    firm[start : start + size] = [True] * size
                entry = (
                    span[0].start(),
                    span[-1].end(),
                    bucket,
                    self._choose(bucket, text, span, context),
                )
                if verdict is None:
                    pending.append(entry)
                else:
                    found.append(_mention(text, *entry))
        # A span that is a title only inside a list ("Woman" in "Prettty Woman") must not hide
        # a misspelt title around it: the fuzzy passes see past it, and a typo they resolve
        # wins over the pending span it overlaps.
        fuzzy = self._fuzzy_cued(text, words, firm)
        fuzzy += self._fuzzy_capitalised(text, words, firm)
        # A misspelt word next to an exact title may be the rest of a longer one ("Wonder wman"
        # is Wonder Woman, not Wonder): its window may cover exact links, and replaces them.
        for i, word in enumerate(words):
            named[i] = named[i] or any(m.start <= word.start() < m.end for m in fuzzy)
        unknown = self._fuzzy_unknown(text, words, named)
        found = [
            m for m in found if not any(u.start <= m.start and m.end <= u.end for u in unknown)
        ]
        fuzzy += unknown
        pending = [p for p in pending if not any(m.start < p[1] and p[0] < m.end for m in fuzzy)]
        found += fuzzy
        found += _listed(text, found, pending)
        return sorted(found, key=lambda m: m.start)

    def _people_words(self, text: str, words: list[re.Match], people: list[str]) -> list[bool]:
        """Words of a person's name ("Bruce Willis"): never part of a title, unless the name is
        a title too ("Ed Wood")."""
        taken = [False] * len(words)
        lower = text.lower()
        for name in people:
            if normalise(name) in self._by_key:
                continue
            for match in re.finditer(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lower):
                for i, word in enumerate(words):
                    if match.start() <= word.start() < match.end():
                        taken[i] = True
        return taken

    @staticmethod
    def _choose(bucket: list[Item], text: str, span: list[re.Match], context: _Context) -> Item:
        """Among same-titled items: the year written after the title, else a year or person the
        message names, else the best known (the bucket's order)."""
        year = _YEAR_AFTER.match(text[span[-1].end() :])
        years = {int(year.group(1))} if year else context.years
        for item in bucket:
            if item.year in years:
                return item
        for item in bucket:
            if context.people & {normalise(n) for group in item.people.values() for n in group}:
                return item
        dated = [item for item in bucket if item.year]
        age = _AGE_BEFORE.search(text[max(0, span[0].start() - 30) : span[0].start()])
        if age and len(dated) > 1:  # "the new Jumanji", "the original It"
            newest = age.group(1).lower() in ("new", "newer", "newest", "latest", "recent")
            return (max if newest else min)(dated, key=lambda it: it.year or 0)
        return bucket[0]

    def _fuzzy_cued(self, text: str, words: list[re.Match], taken: list[bool]) -> list[Mention]:
        """Typos after a cue ("I really liked home aloen"): the longest window of up to six
        words right after it that resolves fuzzily."""
        found = []
        for first, word in enumerate(words):
            if taken[first] or not _cued(text, word.start()):
                continue
            last = first
            while (
                last + 1 < len(words)
                and last + 1 - first < 6
                and not taken[last + 1]
                and _GAP.fullmatch(text[words[last].end() : words[last + 1].start()])
            ):
                last += 1
            for end in range(last, first - 1, -1):
                surface = text[word.start() : words[end].end()]
                key = normalise(surface)
                if len(key) < 5 or not _reads_as_title(text, words[first : end + 1], self._words):
                    continue
                if all(w.group(0).lower() in _PLAIN for w in words[first : end + 1]):
                    continue  # "watch scary movies" is a genre, not a typo of Scary Movie
                if not self._has_typo(words[first : end + 1]):
                    continue
                item = self.resolve(surface, min_score=85.0 if len(key) >= 7 else 90.0)
                if item is not None:
                    taken[first : end + 1] = [True] * (end + 1 - first)
                    found.append(Mention(item.id, word.start(), words[end].end(), surface))
                    break
        return found

    def _fuzzy_capitalised(
        self, text: str, words: list[re.Match], taken: list[bool]
    ) -> list[Mention]:
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
            while run:  # the longest prefix that resolves, then what follows it
                hit = self._fuzzy_prefix(text, run)
                if hit is None:
                    run = run[1:]
                    continue
                found.append(hit[0])
                run = run[hit[1] :]
        return found

    def _fuzzy_prefix(self, text: str, run: list[re.Match]) -> tuple[Mention, int] | None:
        for size in range(len(run), 0, -1):
            if run[size - 1].group(0).lower() in _STOPWORDS:
                continue  # a title does not end on "of" or "the"
            surface = text[run[0].start() : run[size - 1].end()]
            key = normalise(surface)
            if len(key) < 5 or not self._has_typo(run[:size]):
                continue
            item = self.resolve(surface, min_score=85.0 if len(key) >= 7 else 90.0)
            if item is not None:
                return Mention(item.id, run[0].start(), run[size - 1].end(), surface), size
        return None

    def _fuzzy_unknown(self, text: str, words: list[re.Match], taken: list[bool]) -> list[Mention]:
        """Typos in lower case with no cue ("i liked jurasssic park"): a word that is neither a
        dictionary word nor a word of any title is most likely misspelt. The longest window of
        up to six words on each side that resolves with a strict cut-off is the title."""
        found: list[Mention] = []
        for index, word in enumerate(words):
            token = word.group(0).lower().replace("’", "'")
            if taken[index] or not self._misspelt(token):
                continue
            first, last = _run_around(text, words, taken, index, reach=6)
            hit = self._fuzzy_window(text, words, first, last, index)
            if hit is not None:
                start, end, mention = hit
                taken[start : end + 1] = [True] * (end + 1 - start)
                found.append(mention)
        return found

    def _misspelt(self, token: str) -> bool:
        """Neither a dictionary word (nor its plural or -ing form, nor a contraction typed
        without its apostrophe: "havent") nor a word of any title: "inceptin", "jurasic"."""
        token = token.lower().replace("’", "'")
        return (
            len(token) >= 4
            and token.isalpha()
            and bool(self._words)
            and not _dictionary_form(token, self._words)
            and token not in self._title_words
            and token not in _PLAIN
        )

    def _has_typo(self, span: list[re.Match]) -> bool:
        """A fuzzy match needs a misspelt word: "enjoyed watching" is not a typo of The
        Hatching, nor "Thinking" of The Thinning. Without a vocabulary, any span may be one."""
        return not self._words or any(self._misspelt(w.group(0)) for w in span)

    def _fuzzy_window(
        self, text: str, words: list[re.Match], first: int, last: int, index: int
    ) -> tuple[int, int, Mention] | None:
        """The longest window in words[first..last] holding words[index] that names a title."""
        windows = [(a, b) for a in range(first, index + 1) for b in range(index, last + 1)]
        for a, b in sorted(windows, key=lambda w: (w[0] - w[1], w[0])):
            span = words[a : b + 1]
            if span[-1].group(0).lower() in _STOPWORDS or span[0].group(0).lower() in (
                _STOPWORDS - {"the", "a", "an"}
            ):
                continue  # a title neither ends on "of" nor starts on "and"
            surface = text[span[0].start() : span[-1].end()]
            key = normalise(surface)
            if len(key) < (6 if a < b else 7):  # "creept" is creepy, not Creep
                continue
            item = self.resolve(surface, min_score=88.0 if len(key) >= 9 else 90.0)
            if item is not None:
                return a, b, Mention(item.id, span[0].start(), span[-1].end(), surface)
        return None

    def _add_person(self, name: str) -> None:
        norm = normalise(name)
        if norm and norm not in self._people:
            self._people_by_word[norm.split()[0]].append(norm)
            self._person_rank[norm] = len(self._person_rank)
        self._people[norm] = name

    def find_people(self, text: str) -> list[str]:
        """Full names of catalog people (two words or more) mentioned in the text, in the
        order the catalog introduced them."""
        key = f" {normalise(text)} "
        candidates = {n for word in set(key.split()) for n in self._people_by_word.get(word, ())}
        found = sorted((n for n in candidates if f" {n} " in key), key=self._person_rank.get)
        return [self._people[n] for n in found]

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

    def namesake(self, item_id: str, year: int) -> Item | None:
        """The item titled like `item_id` from `year` ("no, I meant the 2004 one"), if any."""
        item = self._items.get(item_id)
        bucket = self._by_key.get(normalise(item.title), []) if item is not None else []
        return next((other for other in bucket if other.year == year), None)


def _mention(text: str, start: int, end: int, bucket: list[Item], item: Item) -> Mention:
    years = {other.year for other in bucket}
    return Mention(
        item.id,
        start,
        end,
        text[start:end],
        ambiguous=len(years) > 1 and not _YEAR_AFTER.match(text[end:]),
    )


def _listed(
    text: str, found: list[Mention], pending: list[tuple[int, int, list[Item], Item]]
) -> list[Mention]:
    """Pending spans joined to a linked title by "and", "or" or a comma: "Coco, up and Cars"."""
    accepted: list[Mention] = []
    anchors = [(m.start, m.end) for m in found]
    changed = True
    while changed:
        changed = False
        for entry in list(pending):
            start, end = entry[:2]
            if any(
                _LIST_GAP.fullmatch(text[e:start]) or _LIST_GAP.fullmatch(text[end:s])
                for s, e in anchors
                if e <= start or s >= end
            ):
                pending.remove(entry)
                anchors.append((start, end))
                accepted.append(_mention(text, *entry))
                changed = True
    return accepted


def _quoted(text: str, start: int, end: int) -> bool:
    """The span is written between quotes: 'I loved "Sounds Good"'."""
    return (
        start > 0
        and end < len(text)
        and text[start - 1] in _OPENING_QUOTES
        and text[end] in _CLOSING_QUOTES
    )


def _title_case(surface: list[str]) -> bool:
    """Written as a title: every word capitalised but short function words after the first."""
    return all(
        w[0].isupper() or w[0].isdigit() or (i > 0 and w.lower() in _FUNCTION_WORDS)
        for i, w in enumerate(surface)
    )


def _leads(item: Item) -> set[str]:
    return {n for role in ("director", "star") for n in item.people.get(role, [])[:3]}


def _renown(item: Item, fame: dict[str, float]) -> float:
    """Log popularity plus a quarter of the log fame its director and leads have from their
    other items: a tie-breaker between namesakes mentioned about as often."""
    own = item.popularity or 0.0
    others = sum(fame.get(name, 0.0) - own for name in _leads(item))
    return math.log1p(own) + 0.25 * math.log1p(max(others, 0.0))


def _cued(text: str, start: int) -> bool:
    """The span follows a cue that a title comes next: "loved X", "have you seen the X"."""
    return bool(_CUE_BEFORE.search(text[max(0, start - 40) : start]))


def _sentence_start(text: str, start: int) -> bool:
    return not text[:start].strip() or text[:start].rstrip()[-1] in ".!?:\n"


def _capitalised_neighbour(text: str, span: list[re.Match]) -> bool:
    """The words right beside the span are capitalised too ("I am Looking For A Scary Movie"):
    the capitals are the writer's style, not a title's. A sentence's first word does not count."""
    before = re.search(r"([A-Za-z]+)\s+$", text[: span[0].start()])
    after = re.match(r"\s+([A-Za-z]+)", text[span[-1].end() :])

    def shouting(word: re.Match | None) -> bool:
        return (
            word is not None
            and word.group(1)[0].isupper()
            and word.group(1).lower() not in _NOT_SHOUTING
        )

    return (shouting(before) and not _sentence_start(text, before.start(1))) or shouting(after)


def _reads_as_title(
    text: str, span: list[re.Match], words: frozenset[str] = frozenset()
) -> bool | None:
    """True: link. None: link only inside a list of titles. False: ordinary words ("it",
    "up", "date night", "my 8 year old")."""
    surface = [m.group(0) for m in span]
    lowered = [w.lower().replace("’", "'") for w in surface]
    after = text[span[-1].end() :]
    if _quoted(text, span[0].start(), span[-1].end()) or _YEAR_IN_PARENS.match(after):
        return True  # 'I loved "Up"', "Up (2009)": written as a title
    start = span[0].start()
    capital = _title_case(surface) and not (len(surface) == 1 and _sentence_start(text, start))
    cued = _cued(text, start) or bool(_CUE_AFTER.match(after))
    content = [w for w in lowered if w not in _DETERMINERS | _PRONOUNS] or lowered[:1]
    if not content or (len(content) == 1 and (content[0].isdigit() or len(content[0]) < 2)):
        return False
    if len(content) == 1 and _KIND_AFTER.match(after) and (content[0] in words or not words):
        return False  # "gangster movies", "I like Comedy Movies": a kind of film, not a title
    if all(w in _PLAIN or w.isdigit() for w in lowered):
        if len(content) == 1:  # "it", "up", "the game": capitalised and cued ("loved It")
            return (True if _cued(text, start) else None) if capital else False
        if len(content) > _EVERYDAY_SPAN and not _sentence_start(text, start):
            return True  # "you can't take it with you"
        # Capitals mark a title unless the words around are capitalised too ("I am Looking
        # For A Scary Movie").
        shouted = _capitalised_neighbour(text, span)
        return True if (capital and not shouted) or cued else None
    if capital or (_title_case(surface) and lowered[0] not in _COMMON):
        return True
    if len(content) == 1:
        # "superbad", "the goonies": not a dictionary word, so nothing but a title; "an alien",
        # "click": a word first, a title only when cued ("loved click") or listed.
        coined = bool(words) and len(content[0]) >= 4 and content[0] not in words
        return True if cued or coined else None
    return True


# Contractions as typed without the apostrophe: ordinary words, not typos of titles.
_CONTRACTIONS = {
    w.replace("'", "")
    for w in "haven't hasn't hadn't don't doesn't didn't can't couldn't wouldn't shouldn't "
    "won't isn't aren't wasn't weren't i'm i've i'll i'd you're you've you'll they're they've "
    "that's what's let's there's here's he's she's it's who's we're we've".split()
}


def _dictionary_form(token: str, words: frozenset[str]) -> bool:
    """The word, or the word it is inflected from, is in the dictionary ("gangsters",
    "comedys", "thrillers"), or it is a contraction without its apostrophe."""
    if token in words or token in _CONTRACTIONS:
        return True
    stems = [token[:-1]] if token.endswith("s") else []
    if token.endswith(("es", "ed")):
        stems.append(token[:-2])
    if token.endswith("ies"):
        stems.append(token[:-3] + "y")
    if token.endswith("ing"):
        stems += [token[:-3], token[:-3] + "e"]
    return any(stem in words for stem in stems)


def _run_around(
    text: str, words: list[re.Match], taken: list[bool], index: int, reach: int
) -> tuple[int, int]:
    """The words within `reach` of words[index] on each side that may belong to one title with
    it: not taken, and only spaces or title punctuation between them (no comma, no full stop)."""
    first = index
    while (
        first > 0
        and index - first < reach
        and not taken[first - 1]
        and _GAP.fullmatch(text[words[first - 1].end() : words[first].start()])
    ):
        first -= 1
    last = index
    while (
        last + 1 < len(words)
        and last - index < reach
        and not taken[last + 1]
        and _GAP.fullmatch(text[words[last].end() : words[last + 1].start()])
    ):
        last += 1
    return first, last
