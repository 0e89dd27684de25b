"""Words the rule-based understanding knows: genre synonyms, moods, cues for each intent.

Genre names are the catalog's own (lower-case); a synonym maps to one or more of them, and only
genres the catalog actually has are used (see `RuleIntentModel`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GENRE_SYNONYMS: dict[str, list[str]] = {
    "scary": ["horror"],
    "horror": ["horror"],
    "horrors": ["horror"],
    "slasher": ["horror"],
    "creepy": ["horror"],
    "spooky": ["horror"],
    "zombie": ["horror"],
    "zombies": ["horror"],
    "funny": ["comedy"],
    "comedy": ["comedy"],
    "comedies": ["comedy"],
    "comedic": ["comedy"],
    "hilarious": ["comedy"],
    "laugh": ["comedy"],
    "romantic": ["romance"],
    "romance": ["romance"],
    "romances": ["romance"],
    "rom com": ["romance", "comedy"],
    "romcom": ["romance", "comedy"],
    "rom-com": ["romance", "comedy"],
    "love story": ["romance"],
    "chick flick": ["romance"],
    "sci fi": ["sci-fi"],
    "sci-fi": ["sci-fi"],
    "scifi": ["sci-fi"],
    "science fiction": ["sci-fi"],
    "space": ["sci-fi"],
    "aliens": ["sci-fi"],
    "animated": ["animation"],
    "animation": ["animation"],
    "cartoon": ["animation"],
    "cartoons": ["animation"],
    "anime": ["animation"],
    "pixar": ["animation"],
    "family": ["family"],
    "kids": ["family"],
    "children": ["family"],
    "kid friendly": ["family"],
    "documentary": ["documentary"],
    "documentaries": ["documentary"],
    "docs": ["documentary"],
    "thriller": ["thriller"],
    "thrillers": ["thriller"],
    "suspense": ["thriller"],
    "suspenseful": ["thriller"],
    "action": ["action"],
    "superhero": ["action"],
    "superheroes": ["action"],
    "martial arts": ["action"],
    "adventure": ["adventure"],
    "adventures": ["adventure"],
    "drama": ["drama"],
    "dramas": ["drama"],
    "dramatic": ["drama"],
    "crime": ["crime"],
    "gangster": ["crime"],
    "mafia": ["crime"],
    "heist": ["crime"],
    "mystery": ["mystery"],
    "mysteries": ["mystery"],
    "whodunit": ["mystery"],
    "detective": ["mystery"],
    "fantasy": ["fantasy"],
    "magic": ["fantasy"],
    "war": ["war"],
    "western": ["western"],
    "westerns": ["western"],
    "cowboy": ["western"],
    "musical": ["musical"],
    "musicals": ["musical"],
    "music": ["music"],
    "biopic": ["biography"],
    "biography": ["biography"],
    "historical": ["history"],
    "history": ["history"],
    "period piece": ["history"],
    "sports": ["sport"],
    "sport": ["sport"],
    "noir": ["film-noir"],
    "children's": ["family"],
}

# Themes a user can rule out, as words an item's title or text may carry ("kill*": any ending).
# Genre labels miss them: A Clockwork Orange is listed as crime/drama/sci-fi, its plot is not.
THEMES: dict[str, tuple[str, ...]] = {
    "violence": (
        "kill*",
        "murder*",
        "violen*",
        "gore",
        "gory",
        "bloody",
        "bloodshed",
        "brutal*",
        "war",
        "wars",
        "warfare",
        "warlord*",
        "battle*",
        "massacre*",
        "slaughter*",
        "gang",
        "gangs",
        "gangster*",
        "hitman",
        "hitmen",
        "assassin*",
        "revenge",
        "vengeance",
        "vengeful",
        "terroris*",
        "shoot*",
        "gunfight*",
        "gunman",
        "guns",
        "hostage*",
        "mercenar*",
        "combat",
        "soldier*",
        "mob",
        "mobster*",
        "rampage",
        "torture*",
        "carnage",
        "warrior*",
        "vigilante*",
        "apocalyp*",
        "psychotic",
        "psychopath*",
        "bandit*",
        "thug*",
        "ruthless",
        "slay*",
        "deadly",
        "brawl*",
    ),
    "horror": (
        "horror*",
        "terrif*",
        "haunt*",
        "ghost",
        "ghosts",
        "demon*",
        "monster*",
        "possess*",
        "supernatural",
        "paranormal",
        "zombie*",
        "slasher*",
        "killer*",
        "nightmare*",
        "sinister",
        "evil",
        "vampire*",
        "werewol*",
        "witch",
        "exorcis*",
    ),
    "adult": (
        "sex",
        "sexual*",
        "sexy",
        "erotic*",
        "nud*",
        "stripper*",
        "prostitut*",
        "rape*",
        "drug*",
        "porn*",
        "seduc*",
        "affair",
        "virginity",
        "booty",
        # party-and-drinking comedies are tagged comedy only, and no catalog field rates them
        "bachelor*",
        "drunk*",
        "alcohol*",
        "booze*",
        "hangover*",
        "stoner*",
        "hooker*",
        "raunch*",
    ),
}


@dataclass(frozen=True)
class Mood:
    """What a mood or audience phrase asks for. `prefer` genres and `words` are soft: they
    lean the ranking and never narrow the results; `avoid` genres and themes are hard."""

    prefer: tuple[str, ...] = ()  # genres to lean towards
    avoid: tuple[str, ...] = ()  # genres ruled out
    themes: tuple[str, ...] = ()  # THEMES ruled out (read in the item's text)
    words: str = ""  # free-text wish added to the query ("heartwarming")


_VIOLENT = Mood(avoid=("horror", "war", "crime", "thriller"), themes=("violence",))
_GORY = Mood(avoid=("horror",), themes=("violence", "horror"))
_SCARY = Mood(avoid=("horror",), themes=("horror",))
_LIGHT = Mood(
    ("comedy", "family", "animation"), ("horror", "war", "thriller"), ("violence",), "lighthearted"
)
_KIDS = Mood(
    ("family", "animation"),
    ("horror", "thriller", "war", "crime"),
    ("violence", "horror", "adult"),
    "family friendly",
)
_COZY = Mood(("comedy", "family", "romance", "animation"), ("horror",), (), "cozy heartwarming")

# Moods, critiques and audiences: phrase -> what it asks for.
MOODS: dict[str, Mood] = {
    "less violent": _VIOLENT,
    "not violent": _VIOLENT,
    "non violent": _VIOLENT,
    "non-violent": _VIOLENT,
    "no violence": _VIOLENT,
    "too violent": _VIOLENT,
    "nothing violent": _VIOLENT,
    "without violence": _VIOLENT,
    "not too violent": _VIOLENT,
    "less gory": _GORY,
    "too gory": _GORY,
    "no gore": _GORY,
    "nothing gory": _GORY,
    "not gory": _GORY,
    "too bloody": _GORY,
    "less bloody": _GORY,
    "too scary": _SCARY,
    "less scary": _SCARY,
    "not scary": _SCARY,
    "not too scary": _SCARY,
    "nothing scary": _SCARY,
    "nothing too scary": _SCARY,
    "not frightening": _SCARY,
    "lighter": _LIGHT,
    "light hearted": _LIGHT,
    "lighthearted": _LIGHT,
    "feel good": Mood(
        ("comedy", "family", "romance"),
        ("horror", "war", "thriller"),
        ("violence",),
        "feel-good uplifting",
    ),
    "cozy": _COZY,
    "cosy": _COZY,
    "less dark": Mood(("comedy", "adventure"), ("horror", "war")),
    "too dark": Mood(("comedy", "adventure"), ("horror", "war")),
    "happier": Mood(("comedy", "family"), ("horror", "war")),
    "cheerful": Mood(("comedy", "family"), ("horror", "war")),
    "less serious": Mood(("comedy",), ("war",)),
    "too serious": Mood(("comedy",), ("war",)),
    "darker": Mood(("thriller", "drama"), ("family", "animation")),
    "more serious": Mood(("drama",), ("family", "animation")),
    "scarier": Mood(("horror",), ("family", "animation")),
    "funnier": Mood(("comedy",)),
    "more action": Mood(("action",)),
    "more romantic": Mood(("romance",)),
    "date night": Mood(("romance", "comedy"), (), (), "romantic"),
    "for a date": Mood(("romance", "comedy"), (), (), "romantic"),
    "for kids": _KIDS,
    "for the kids": _KIDS,
    "for my kids": _KIDS,
    "with my kids": _KIDS,
    "with the kids": _KIDS,
    "with kids": _KIDS,
    "kid friendly": _KIDS,
    "kid-friendly": _KIDS,
    "family friendly": _KIDS,
    "family-friendly": _KIDS,
    "for the family": _KIDS,
    "family night": _KIDS,
    "for children": _KIDS,
    "for my children": _KIDS,
    "with my children": _KIDS,
    "for my son": _KIDS,
    "for my daughter": _KIDS,
    "with my son": _KIDS,
    "with my daughter": _KIDS,
    "for a child": _KIDS,
}

# "my 8 year old", "a 10-year-old", "my six year old": a child's age (a teen is not a kid).
AGE = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen)[- ]?(?:years?|yrs?)[- ]?olds?\b"
)
WORD_AGES = {
    w: n
    for n, w in enumerate(
        (
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
        )
    )
}
KIDS_UNTIL = 12  # the age up to which "my N year old" means a family pick
TEEN = Mood((), ("horror",), ("adult",))  # a teenager: nothing explicit, no horror

NEGATORS = (
    "not",
    "no",
    "don't",
    "dont",
    "do not",
    "never",
    "hate",
    "hated",
    "dislike",
    "disliked",
    "can't stand",
    "cant stand",
    "not into",
    "not a fan of",
    "avoid",
    "nothing",
    "without",
    "isn't",
    "wasn't",
    "aren't",
    "too",
    "boring",
    "awful",
    "terrible",
    "didn't like",
    "didnt like",
    "not really",
    "except",
)

ORDINALS = {
    "first": 1,
    "1st": 1,
    "#1": 1,
    "number one": 1,
    "top one": 1,
    "second": 2,
    "2nd": 2,
    "#2": 2,
    "number two": 2,
    "middle one": 2,
    "third": 3,
    "3rd": 3,
    "#3": 3,
    "number three": 3,
    "fourth": 4,
    "4th": 4,
    "#4": 4,
    "number four": 4,
    "fifth": 5,
    "5th": 5,
    "#5": 5,
    "number five": 5,
}
ALL_OF_THEM = (
    "all of them",
    "them all",
    "all of those",
    "all those",
    "both",
    "all seen",
    "any of them",
    "none of them",
    "none of those",
    "all three",
    "all five",
)
LAST = ("last one", "the last", "final one")

SEEN_CUES = (
    "seen it",
    "seen that",
    "seen this",
    "seen them",
    "seen those",
    "already seen",
    "have seen",
    "i've seen",
    "ive seen",
    "saw it",
    "saw that",
    "already watched",
    "watched it",
    "watched that",
    "watched them",
    "seen both",
    "seen all",
    "seen the",
    "i saw",
    "have watched",
    "i've watched",
)
REJECT_CUES = (
    "not that one",
    "not this one",
    "not for me",
    "no thanks",
    "no thank you",
    "not interested",
    "don't like that",
    "dont like that",
    "don't want",
    "nope",
    "not those",
    "not the",
    "something else",
    "anything else",
    "other options",
    "don't like the",
    "dont like the",
    "not a fan",
    "none of",
    "not really",
    "pass",
)
ACCEPT_CUES = (
    "sounds good",
    "sounds great",
    "sounds interesting",
    "i'll watch",
    "ill watch",
    "i will watch",
    "i'll check",
    "will check",
    "i'll try",
    "perfect",
    "great choice",
    "that one",
    "i'll take",
    "add it",
    "love that",
    "looks good",
    "looks great",
    "i'll give",
    "good suggestion",
    "great suggestion",
    "good idea",
    "awesome",
    "yes",
)
MORE_LIKE_CUES = (
    "more like",
    "similar to",
    "something like",
    "like the",
    "same as",
    "in the vein of",
    "along the lines of",
    "movies like",
    "films like",
    "books like",
)
INQUIRE_CUES = (
    "what is",
    "what's",
    "whats",
    "tell me about",
    "who is in",
    "who's in",
    "who directed",
    "who stars",
    "is it",
    "is the",
    "what about",
    "about?",
    "how long",
    "what year",
    "when was",
    "plot",
    "what happens",
)
END_CUES = (
    "bye",
    "goodbye",
    "good bye",
    "that's all",
    "thats all",
    "that is all",
    "i'm done",
    "im done",
    "gotta go",
    "have a good",
    "see you",
    "good night",
    "goodnight",
)
GREETINGS = ("hi", "hello", "hey", "good morning", "good evening", "howdy", "yo")
REQUEST_CUES = (
    "recommend",
    "suggest",
    "looking for",
    "want to watch",
    "in the mood",
    "something",
    "any ideas",
    "what should i watch",
    "what should i read",
    "give me",
    "show me",
    "can you find",
    "i want",
    "i'd like",
    "id like",
    "i need",
    "any good",
)
POSITIVE_CUES = (
    "love",
    "loved",
    "like",
    "liked",
    "enjoy",
    "enjoyed",
    "favorite",
    "favourite",
    "great",
    "awesome",
    "amazing",
    "fan of",
    "into",
    "adore",
    "best",
)

YEAR_RANGE_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\b(?:from the |in the )?(19|20)?(\d)0'?s\b"), "decade"),
    (
        re.compile(
            r"\b(?:the )?(twenties|thirties|forties|fifties|sixties|seventies|eighties|"
            r"nineties)\b"
        ),
        "decade word",
    ),
    (re.compile(r"\b(?:after|since|newer than|later than|post)\s+((?:19|20)\d\d)\b"), "min"),
    (re.compile(r"\b(?:before|older than|earlier than|pre)\s+((?:19|20)\d\d)\b"), "max"),
]
RECENT_WORDS = ("recent", "new release", "newer", "latest", "new movie", "new one", "modern")
DECADE_WORDS = {
    "twenties": 1920,
    "thirties": 1930,
    "forties": 1940,
    "fifties": 1950,
    "sixties": 1960,
    "seventies": 1970,
    "eighties": 1980,
    "nineties": 1990,
}
# Year limits that only mean something for movies ("a classic" book is not an old book).
OLD_WORDS = ("classic", "old movie", "older", "oldie", "old school", "vintage", "golden age")

# Words that carry no preference; what is left of a message after removing them is a free-text
# wish ("time travel", "strong female lead").
FILLER = set(
    """
    i i'm im me my we you your a an the and or but so to of in on for with at by from about
    is are was were be been am do does did can could would should will shall may might must
    want wanted like liked love loved looking look find need get give show recommend suggest
    suggestion suggestions recommendation recommendations something anything movie movies
    film films watch watching see good great nice please thanks thank hi hello hey some any
    maybe really very kind sort type one ones that this these those it its it's please there
    here what which who how more less similar other else also just now tonight today again
    too mood feel feeling into fan enjoy enjoyed favorite favourite ideas idea seen have has
    had watched saw sounds bye them all both will i'll ill let's lets yes yeah ok okay sure
    cool awesome wow well hmm year years yr yrs old olds night
    """.split()
)
