"""Words the rule-based understanding knows: genre synonyms, moods, cues for each intent.

Genre names are the catalog's own (lower-case); a synonym maps to one or more of them, and only
genres the catalog actually has are used (see `RuleIntentModel`).
"""

from __future__ import annotations

import re

GENRE_SYNONYMS: dict[str, list[str]] = {
    "scary": ["horror"], "horror": ["horror"], "horrors": ["horror"], "slasher": ["horror"],
    "creepy": ["horror"], "spooky": ["horror"], "zombie": ["horror"], "zombies": ["horror"],
    "funny": ["comedy"], "comedy": ["comedy"], "comedies": ["comedy"], "comedic": ["comedy"],
    "hilarious": ["comedy"], "laugh": ["comedy"],
    "romantic": ["romance"], "romance": ["romance"], "romances": ["romance"],
    "rom com": ["romance", "comedy"], "romcom": ["romance", "comedy"], "rom-com": ["romance", "comedy"],
    "love story": ["romance"], "chick flick": ["romance"],
    "sci fi": ["sci-fi"], "sci-fi": ["sci-fi"], "scifi": ["sci-fi"], "science fiction": ["sci-fi"],
    "space": ["sci-fi"], "aliens": ["sci-fi"],
    "animated": ["animation"], "animation": ["animation"], "cartoon": ["animation"],
    "cartoons": ["animation"], "anime": ["animation"], "pixar": ["animation"],
    "family": ["family"], "kids": ["family"], "children": ["family"], "kid friendly": ["family"],
    "documentary": ["documentary"], "documentaries": ["documentary"], "docs": ["documentary"],
    "thriller": ["thriller"], "thrillers": ["thriller"], "suspense": ["thriller"],
    "suspenseful": ["thriller"],
    "action": ["action"], "superhero": ["action"], "superheroes": ["action"], "martial arts": ["action"],
    "adventure": ["adventure"], "adventures": ["adventure"],
    "drama": ["drama"], "dramas": ["drama"], "dramatic": ["drama"],
    "crime": ["crime"], "gangster": ["crime"], "mafia": ["crime"], "heist": ["crime"],
    "mystery": ["mystery"], "mysteries": ["mystery"], "whodunit": ["mystery"], "detective": ["mystery"],
    "fantasy": ["fantasy"], "magic": ["fantasy"], "war": ["war"], "western": ["western"],
    "westerns": ["western"], "cowboy": ["western"], "musical": ["musical"], "musicals": ["musical"],
    "music": ["music"], "biopic": ["biography"], "biography": ["biography"],
    "historical": ["history"], "history": ["history"], "period piece": ["history"],
    "sports": ["sport"], "sport": ["sport"], "noir": ["film-noir"],
    "children's": ["family"],
}

# Moods and critiques: words -> (genres to prefer, genres to rule out).
MOODS: dict[str, tuple[list[str], list[str]]] = {
    "less violent": ([], ["horror", "war", "crime", "thriller"]),
    "not violent": ([], ["horror", "war", "crime", "thriller"]),
    "non violent": ([], ["horror", "war", "crime", "thriller"]),
    "no violence": ([], ["horror", "war", "crime", "thriller"]),
    "too violent": ([], ["horror", "war", "crime", "thriller"]),
    "less gory": ([], ["horror"]), "too gory": ([], ["horror"]), "no gore": ([], ["horror"]),
    "too scary": ([], ["horror"]), "less scary": ([], ["horror"]), "not scary": ([], ["horror"]),
    "not too scary": ([], ["horror"]), "nothing scary": ([], ["horror"]),
    "lighter": (["comedy", "family", "animation"], ["horror", "war", "thriller"]),
    "light hearted": (["comedy", "family"], ["horror", "war", "thriller"]),
    "lighthearted": (["comedy", "family"], ["horror", "war", "thriller"]),
    "feel good": (["comedy", "family", "romance"], ["horror", "war", "thriller"]),
    "less dark": (["comedy", "adventure"], ["horror", "war"]),
    "too dark": (["comedy", "adventure"], ["horror", "war"]),
    "happier": (["comedy", "family"], ["horror", "war"]),
    "cheerful": (["comedy", "family"], ["horror", "war"]),
    "less serious": (["comedy"], ["war"]), "too serious": (["comedy"], ["war"]),
    "darker": (["thriller", "drama"], ["family", "animation"]),
    "more serious": (["drama"], ["family", "animation"]),
    "scarier": (["horror"], ["family", "animation"]),
    "funnier": (["comedy"], []), "more action": (["action"], []),
    "more romantic": (["romance"], []),
}

NEGATORS = ("not", "no", "don't", "dont", "do not", "never", "hate", "hated", "dislike",
            "disliked", "can't stand", "cant stand", "not into", "not a fan of", "avoid",
            "nothing", "without", "isn't", "wasn't", "aren't", "too", "boring", "awful",
            "terrible", "didn't like", "didnt like", "not really", "except")

ORDINALS = {
    "first": 1, "1st": 1, "#1": 1, "number one": 1, "top one": 1,
    "second": 2, "2nd": 2, "#2": 2, "number two": 2, "middle one": 2,
    "third": 3, "3rd": 3, "#3": 3, "number three": 3,
    "fourth": 4, "4th": 4, "#4": 4, "number four": 4,
    "fifth": 5, "5th": 5, "#5": 5, "number five": 5,
}
ALL_OF_THEM = ("all of them", "them all", "all of those", "all those", "both", "all seen",
               "any of them", "none of them", "none of those", "all three", "all five")
LAST = ("last one", "the last", "final one")

SEEN_CUES = ("seen it", "seen that", "seen this", "seen them", "seen those", "already seen",
             "have seen", "i've seen", "ive seen", "saw it", "saw that", "already watched",
             "watched it", "watched that", "watched them", "seen both", "seen all", "seen the",
             "i saw", "have watched", "i've watched")
REJECT_CUES = ("not that one", "not this one", "not for me", "no thanks", "no thank you",
               "not interested", "don't like that", "dont like that", "don't want", "nope",
               "not those", "not the", "something else", "anything else", "other options",
               "don't like the", "dont like the", "not a fan", "none of", "not really", "pass")
ACCEPT_CUES = ("sounds good", "sounds great", "sounds interesting", "i'll watch", "ill watch",
               "i will watch", "i'll check", "will check", "i'll try", "perfect", "great choice",
               "that one", "i'll take", "add it", "love that", "looks good", "looks great",
               "i'll give", "good suggestion", "great suggestion", "good idea", "awesome", "yes")
MORE_LIKE_CUES = ("more like", "similar to", "something like", "like the", "same as",
                  "in the vein of", "along the lines of", "movies like", "films like")
INQUIRE_CUES = ("what is", "what's", "whats", "tell me about", "who is in", "who's in",
                "who directed", "who stars", "is it", "is the", "what about", "about?",
                "how long", "what year", "when was", "plot", "what happens")
END_CUES = ("bye", "goodbye", "good bye", "that's all", "thats all", "that is all", "i'm done",
            "im done", "gotta go", "have a good", "see you", "good night", "goodnight")
GREETINGS = ("hi", "hello", "hey", "good morning", "good evening", "howdy", "yo")
REQUEST_CUES = ("recommend", "suggest", "looking for", "want to watch", "in the mood",
                "something", "any ideas", "what should i watch", "give me", "show me",
                "can you find", "i want", "i'd like", "id like", "i need", "any good")
POSITIVE_CUES = ("love", "loved", "like", "liked", "enjoy", "enjoyed", "favorite", "favourite",
                 "great", "awesome", "amazing", "fan of", "into", "adore", "best")

YEAR_RANGE_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\b(?:from the |in the )?(19|20)?(\d)0'?s\b"), "decade"),
    (re.compile(r"\b(?:after|since|newer than|later than|post)\s+((?:19|20)\d\d)\b"), "min"),
    (re.compile(r"\b(?:before|older than|earlier than|pre)\s+((?:19|20)\d\d)\b"), "max"),
]
RECENT_WORDS = ("recent", "new release", "newer", "latest", "new movie", "new one", "modern")
OLD_WORDS = ("classic", "old movie", "older", "oldie", "old school", "vintage", "golden age")

# Words that carry no preference; what is left of a message after removing them is a free-text
# wish ("time travel", "strong female lead").
FILLER = set(
    """i i'm im me my we you your a an the and or but so to of in on for with at by from about
    is are was were be been am do does did can could would should will shall may might must
    want wanted like liked love loved looking look find need get give show recommend suggest
    suggestion suggestions recommendation recommendations something anything movie movies film
    films watch watching see good great nice please thanks thank hi hello hey some any maybe
    really very kind sort type one ones that this these those it its it's please there here
    what which who how more less similar other else also just now tonight today again too
    mood feel feeling into fan enjoy enjoyed favorite favourite ideas idea seen have has had
    watched saw sounds bye them all both will i'll ill let's lets yes yeah ok okay sure cool
    awesome wow well hmm""".split()
)
