"""Hidden targets and taste profiles for simulated readers, built from a book catalog alone.

goodbooks-10k has no per-user ratings, so a reader is made from the catalog: a target book (one
of the `TARGETS_FROM` most-rated books, with at least two genres) and a profile of other popular
books that share the target's most telling genre (its rarest in the catalog) and at least one
more of its genres. Nothing in the profile is by the target's author or of its series: the
reader cannot point at the target through them, as a real reader would only if they said so.
"""

from __future__ import annotations

import random

from eval.simulation.profiles import UserProfile
from retrieval.schema import Item

TARGETS_FROM = 5000  # targets are among the most-rated books: ones a reader may be offered
PROFILE_POOL = 100  # liked books are drawn from the most-rated books that fit the profile
LIKED = 3  # books each reader can tell about


def book_profiles(
    items: dict[str, Item], n: int, seed: int = 0, liked: int = LIKED
) -> list[UserProfile]:
    """Up to `n` readers, each with a hidden target and `liked` other books.

    Args:
        items: the indexed catalog by id (books with authors, genres, series attributes).
        n: how many readers.
        seed: picks the targets and the liked books.
        liked: books in each profile.
    """
    rng = random.Random(seed)
    ranked = sorted(items.values(), key=lambda it: -(it.popularity or 0.0))[:TARGETS_FROM]
    counts: dict[str, int] = {}
    for item in items.values():
        for genre in item.genres:
            counts[genre] = counts.get(genre, 0) + 1
    targets = [it for it in ranked if len(it.genres) >= 2 and not _collection(it)]
    rng.shuffle(targets)
    profiles = []
    for target in targets:
        fitting = [it for it in ranked if _fits(it, target, counts)][:PROFILE_POOL]
        if len(fitting) < liked:
            continue
        chosen = rng.sample(fitting, liked)
        profiles.append(UserProfile(f"book-{target.id}", target.id, [it.id for it in chosen]))
        if len(profiles) == n:
            break
    return profiles


def _fits(item: Item, target: Item, counts: dict[str, int]) -> bool:
    """A book the target's reader plausibly liked: the target's rarest genre and one more, by
    another author, of another series, and not a boxed set or companion."""
    rarest = min(target.genres, key=lambda g: counts.get(g, 0))
    shared = set(item.genres) & set(target.genres)
    return (
        item.id != target.id
        and rarest in shared
        and len(shared) >= 2
        and not _people(item) & _people(target)
        and not _same_series(item, target)
        and not _collection(item)
    )


def _people(item: Item) -> set[str]:
    return {name for names in item.people.values() for name in names}


def _same_series(item: Item, other: Item) -> bool:
    name = item.attributes.get("series_name")
    return name is not None and name == other.attributes.get("series_name")


def _collection(item: Item) -> bool:
    """A boxed set or a companion of a series ("#1-3", "#0.5"): not a book one waits to be
    offered, and its title repeats its series' books."""
    number = item.attributes.get("series_number")
    in_series = item.attributes.get("series") is not None
    return in_series and (number is None or not float(number).is_integer() or number < 1)
