"""Checks one agent turn against a scripted turn's expectations. Pure: no agent, no index."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.schema import DialogueState, Turn
from eval.script.format import Expectations
from retrieval.schema import Item


@dataclass
class CheckResult:
    """One expectation on one turn."""

    script: str
    turn: int  # 1-based position in the script
    expectation: str  # human-readable, e.g. "recommends at least 3 items"
    passed: bool
    detail: str = ""  # what was observed


def check_turn(
    expect: Expectations,
    turn: Turn | None,
    refused: str | None,
    earlier: set[str],
    items: dict[str, Item],
    before: DialogueState | None = None,
) -> list[tuple[str, bool, str]]:
    """(expectation, passed, observed) for every expectation that is set.

    Args:
        turn: the agent's answer, or None when the message was refused.
        refused: the refusal message (`InvalidMessage`), if any.
        earlier: ids shown before this turn in the same conversation.
        items: the indexed catalog, to resolve titles and read genres.
        before: the state before this turn (None for a first turn: a fresh state).
    """
    if expect.invalid is not None:
        observed = f"refused: {refused}" if refused else "accepted"
        return [
            (
                "refuses the message as invalid" if expect.invalid else "accepts the message",
                bool(refused) == expect.invalid,
                observed,
            )
        ]
    if turn is None:
        return [("answers the message", False, f"refused: {refused}")]
    ids = [r.id for r in turn.items]
    shown = [items[i] for i in ids if i in items]
    listed = ", ".join(item.display_title for item in shown) or "nothing"
    results: list[tuple[str, bool, str]] = []
    if expect.action is not None:
        results.append((f"action is {expect.action}", turn.action == expect.action, turn.action))
    if expect.asks_question is not None:
        asks = turn.action == "ask"
        results.append(
            (
                "asks a question" if expect.asks_question else "does not ask",
                asks == expect.asks_question,
                f"{turn.action}: {turn.reply[:80]!r}",
            )
        )
    if expect.min_items is not None:
        results.append(
            (
                f"recommends at least {expect.min_items} items",
                len(ids) >= expect.min_items,
                f"{len(ids)}: {listed}",
            )
        )
    if expect.max_items is not None:
        results.append(
            (
                f"recommends at most {expect.max_items} items",
                len(ids) <= expect.max_items,
                f"{len(ids)}",
            )
        )
    results += _genre_checks(expect, shown)
    results += _item_checks(expect, ids, earlier, items, listed)
    results += _year_checks(expect, shown)
    results += _attribute_checks(expect, shown)
    for phrase in expect.reply_contains:
        results.append(
            (f"reply mentions {phrase!r}", phrase.lower() in turn.reply.lower(), turn.reply[:120])
        )
    for phrase in expect.reply_excludes:
        results.append(
            (
                f"reply does not mention {phrase!r}",
                phrase.lower() not in turn.reply.lower(),
                turn.reply[:120],
            )
        )
    if expect.about:
        invented = invented_facts(turn.reply, expect.about, items)
        results.append(
            (
                f"every fact is from {', '.join(expect.about)}",
                not invented,
                ", ".join(invented) or "ok",
            )
        )
    if expect.refers_to is not None:
        results.append(_refers_to(expect.refers_to, turn.reply, before, items))
    if expect.picks_unchanged:
        changed = _changed_picks(before or DialogueState(), turn)
        results.append(("picks unchanged", not changed, ", ".join(changed) or "ok"))
    if expect.no_error:
        results.append(("no degraded turn", turn.error is None, turn.error or "ok"))
    return results


def _genre_checks(expect: Expectations, shown: list[Item]) -> list[tuple[str, bool, str]]:
    results = []
    for genre in expect.none_with_genre:
        bad = [i.display_title for i in shown if genre.lower() in i.genres]
        results.append((f"none with genre {genre}", not bad, ", ".join(bad) or "none"))
    if expect.all_with_genre:
        wanted = {g.lower() for g in expect.all_with_genre}
        bad = [i.display_title for i in shown if not wanted & set(i.genres)]
        results.append(
            (
                f"every item is {' or '.join(sorted(wanted))}",
                bool(shown) and not bad,
                ", ".join(bad) or f"{len(shown)} ok",
            )
        )
    return results


def _item_checks(
    expect: Expectations, ids: list[str], earlier: set[str], items: dict[str, Item], listed: str
) -> list[tuple[str, bool, str]]:
    results = []
    for name in expect.includes:
        results.append((f"recommends {name}", bool(resolve(name, items) & set(ids)), listed))
    for name in expect.excludes:
        results.append((f"does not recommend {name}", not resolve(name, items) & set(ids), listed))
    if expect.no_repeats:
        again = [items[i].display_title for i in ids if i in earlier and i in items]
        results.append(("repeats nothing shown before", not again, ", ".join(again) or "none"))
    return results


def _year_checks(expect: Expectations, shown: list[Item]) -> list[tuple[str, bool, str]]:
    results = []
    if expect.year_min is not None:
        bad = [i.display_title for i in shown if (i.year or 0) < expect.year_min]
        results.append((f"every item from {expect.year_min} on", not bad, ", ".join(bad) or "ok"))
    if expect.year_max is not None:
        bad = [i.display_title for i in shown if (i.year or 10_000) > expect.year_max]
        results.append((f"every item up to {expect.year_max}", not bad, ", ".join(bad) or "ok"))
    return results


def _attribute_checks(expect: Expectations, shown: list[Item]) -> list[tuple[str, bool, str]]:
    """People and attribute expectations (books: author, rating, series)."""

    def people(item: Item) -> set[str]:
        return {n for names in item.people.values() for n in names}

    def number(item: Item, key: str) -> float | None:
        value = item.attributes.get(key)
        return float(value) if isinstance(value, (int, float)) else None

    checks = []
    if expect.all_by:
        wanted = set(expect.all_by)
        checks.append((f"every item by {' or '.join(expect.all_by)}", lambda i: people(i) & wanted))
    checks += [(f"no item by {n}", lambda i, n=n: n not in people(i)) for n in expect.none_by]
    checks += [
        (f"every item's {k} at least {v}", lambda i, k=k, v=v: (number(i, k) or -1e9) >= v)
        for k, v in expect.attribute_min.items()
    ]
    checks += [
        (f"every item's {k} at most {v}", lambda i, k=k, v=v: (number(i, k) or 1e9) <= v)
        for k, v in expect.attribute_max.items()
    ]
    checks += [
        (f"no item with {k}", lambda i, k=k: i.attributes.get(k) in (None, ""))
        for k in expect.none_with_attribute
    ]
    checks += [
        (f"every item's {k} in {vs}", lambda i, k=k, vs=vs: i.attributes.get(k) in vs)
        for k, vs in expect.attribute_in.items()
    ]
    checks += [
        (f"no item's {k} in {vs}", lambda i, k=k, vs=vs: i.attributes.get(k) not in vs)
        for k, vs in expect.attribute_not_in.items()
    ]
    results = []
    for name, accepts in checks:
        bad = [i.display_title for i in shown if not accepts(i)]
        results.append((name, bool(shown) and not bad, ", ".join(bad) or f"{len(shown)} ok"))
    return results


def resolve(name: str, items: dict[str, Item]) -> set[str]:
    """Ids a script's title (or id) refers to: every item with that display title or title."""
    if name in items:
        return {name}
    key = " ".join(name.split()).lower()
    by_display = {i for i, it in items.items() if it.display_title.lower() == key}
    return by_display or {i for i, it in items.items() if it.title.lower() == key}


# What a question must leave alone: the picks and everything they are computed from.
_PICK_FIELDS = (
    "liked_items",
    "disliked_items",
    "seen_items",
    "shown_items",
    "last_shown",
    "liked_genres",
    "required_genres",
    "disliked_genres",
    "liked_people",
    "year_min",
    "year_max",
    "queries",
    "recent",
)
_YEAR = re.compile(r"\b(?:18|19|20)\d\d\b")


def _changed_picks(before: DialogueState, turn: Turn) -> list[str]:
    changed = [name for name in _PICK_FIELDS if getattr(before, name) != getattr(turn.state, name)]
    return (["items shown"] if turn.items else []) + changed


def invented_facts(reply: str, about: list[str], items: dict[str, Item]) -> list[str]:
    """People and years a reply names that are not in the fields of the items it is about."""
    ids = set().union(*(resolve(name, items) for name in about))
    allowed = [items[i] for i in ids]
    text = " ".join(it.text for it in allowed)
    own = {n for it in allowed for names in it.people.values() for n in names}
    years = {str(it.year) for it in allowed if it.year} | set(_YEAR.findall(text))
    people = {n for it in items.values() for names in it.people.values() for n in names}
    invented = [
        n
        for n in sorted(people - own)
        if n in reply and n not in text and not any(n in mine for mine in own)
    ]
    return invented + [y for y in _YEAR.findall(reply) if y not in years]


def _refers_to(
    position: int, reply: str, before: DialogueState | None, items: dict[str, Item]
) -> tuple[str, bool, str]:
    """The reply is about the item at `position` of the latest list, with no invented fact."""
    shown = before.last_shown if before else []
    index = len(shown) - 1 if position == -1 else position - 1
    name = f"answers about item {position} of the list"
    if not 0 <= index < len(shown) or shown[index] not in items:
        return name, False, f"no item {position} in a list of {len(shown)}"
    item = items[shown[index]]
    invented = invented_facts(reply, [item.id], items)
    text = reply.lower()
    # "Jumanji came out in 2017" names the item by title and year without the display form
    named = item.display_title.lower() in text or (
        item.title.lower() in text and item.year is not None and str(item.year) in text
    )
    passed = named and not invented
    return name, passed, f"{item.display_title}: {reply[:100]!r} invented: {invented or 'none'}"
