"""What kind of catalog the agent serves: the noun for its items and the people roles it has.

Read once from the items when the agent is built (`profile_of`) and handed to the parts that
word replies or read words ("classic" is a year limit on movies only, a book is never a "film").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.schema import Item

# Roles that only screen catalogs have; any of them makes the catalog a movie catalog.
_SCREEN_ROLES = {"director", "directors", "star", "stars", "cast", "actor", "actors"}
_BOOK_ROLES = {"author", "authors"}
# Signs of a movie catalog without people (MovieLens has titles, years and genres only).
_SCREEN_KEYS = ("imdb", "tmdb", "movielens")
_SCREEN_GENRES = {"film-noir"}

# How a person's part in an item is cited: "directed by X", "by the same author as Y".
ROLE_VERBS: dict[str, str] = {
    "director": "directed by",
    "directors": "directed by",
    "star": "with",
    "stars": "with",
    "cast": "with",
    "actor": "with",
    "actors": "with",
    "writer": "written by",
    "writers": "written by",
    "author": "by",
    "authors": "by",
    "brand": "by",
    "artist": "by",
    "creator": "by",
    "publisher": "published by",
}


@dataclass(frozen=True)
class CatalogProfile:
    """The words a catalog's items go by."""

    noun: str = "item"  # "movie", "book", "item", ...
    plural: str = "items"
    roles: tuple[str, ...] = ()  # people roles present in the catalog, e.g. ("author",)
    movies: bool = False  # movie-only lexicon applies ("classic" = old, "film", "watch")


MOVIES = CatalogProfile("movie", "movies", ("director", "star", "writer"), True)


def profile_of(items: Iterable[Item], noun: str | None = None) -> CatalogProfile:
    """The profile of a catalog, read from its items.

    Args:
        items: the catalog.
        noun: the item noun from settings, overriding the one read from the items.

    Returns:
        A `CatalogProfile`; "movie" when the items look like movies, "book" when they have
        authors, else "item".
    """
    roles: set[str] = set()
    genres: set[str] = set()
    keys: set[str] = set()
    for item in items:
        roles |= {role for role, names in item.people.items() if names}
        genres |= set(item.genres)
        keys |= {key.lower() for key in item.attributes}
    movies = bool(
        roles & _SCREEN_ROLES
        or genres & _SCREEN_GENRES
        or any(s in key for key in keys for s in _SCREEN_KEYS)
    )
    found = "movie" if movies else "book" if roles & _BOOK_ROLES else "item"
    noun = (noun or found).strip().lower()
    return CatalogProfile(noun, _plural(noun), tuple(sorted(roles)), noun in ("movie", "film"))


def credit(role: str, name: str) -> str:
    """'directed by X', 'by X', 'with X': how `name` took part, from their role."""
    return f"{ROLE_VERBS.get(role, 'with')} {name}"


def byline(item: Item, limit: int = 2) -> str:
    """'by Brandon Sanderson': the item's makers when its catalog credits makers ("by" roles:
    authors, brands, artists), else "" (a movie card names no director: it never did)."""
    for role, names in item.people.items():
        if names and ROLE_VERBS.get(role) == "by":
            return credit(role, " and ".join(names[:limit]))
    return ""


def _plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"
