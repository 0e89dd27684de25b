"""A catalog-sized dict changed in a few keys, and a list grown at its end, without copying them.

Each catalog change makes a new version of the in-memory maps (id -> item, id -> row) while turns
may still read the old one, so a version was a copy of the whole dict with the change applied. At
1M items a copy touches every key and value, scattered over gigabytes of heap (their reference
counts): 70-250 ms per dict in the turn after another process's write, where the change itself
is one item. An `Overlay` shares the large dict between versions, never writes to it, and keeps
the changed keys in small dicts of its own; it is folded into a new plain dict only once the
changes grow past a share of the base (`FOLD_SHARE`), an O(n) copy spread over many changes.

Same order as the dict it stands for: a replaced key keeps its place, a new or re-added key comes
last, as `dict.update` after `pop` would have it. `Prefix` does the same for the row -> id
lists: versions share one list that only grows at its end, each reading its own first rows.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

FOLD_SHARE = 1 / 16  # changes, as a share of the base, from which a new plain dict is made


class Overlay(Mapping[K, V]):
    """A read-only view of `base` with some keys replaced, removed or added; never changes."""

    __slots__ = ("_added", "_base", "_removed", "_replaced")

    def __init__(
        self,
        base: dict[K, V],
        replaced: dict[K, V] | None = None,
        added: dict[K, V] | None = None,
        removed: frozenset[K] = frozenset(),
    ) -> None:
        self._base = base  # shared by every version made from this one; never written
        self._replaced = replaced or {}  # base keys with another value, in their place
        self._added = added or {}  # keys after the base's, in the order they came
        self._removed = removed  # base keys not shown in their place (deleted, or re-added)

    def __getitem__(self, key: K) -> V:
        if key in self._added:
            return self._added[key]
        if key in self._removed:
            raise KeyError(key)
        if key in self._replaced:
            return self._replaced[key]
        return self._base[key]

    def __contains__(self, key: object) -> bool:
        if key in self._added:
            return True
        return key not in self._removed and key in self._base

    def __len__(self) -> int:
        return len(self._base) - len(self._removed) + len(self._added)

    def __iter__(self) -> Iterator[K]:
        removed = self._removed
        if removed:
            yield from (key for key in self._base if key not in removed)
        else:
            yield from self._base
        yield from self._added

    def changed(self, values: Mapping[K, V], dropped: Iterable[K] = ()) -> Mapping[K, V]:
        """This mapping with `dropped` keys removed, then `values` set: a new `Overlay` over
        the same base (this one is unchanged), or a plain dict once the changes are many."""
        replaced, added, removed = dict(self._replaced), dict(self._added), set(self._removed)
        for key in dropped:
            replaced.pop(key, None)
            added.pop(key, None)
            if key in self._base:
                removed.add(key)
        for key, value in values.items():
            if key in added or key in removed or key not in self._base:
                added[key] = value  # new, or back after a removal: last, as in a dict
            else:
                replaced[key] = value  # still in its place
        if len(replaced) + len(added) + len(removed) > FOLD_SHARE * max(len(self._base), 1):
            # the copy in dict operations, not one `__getitem__` call per key
            folded = {k: v for k, v in self._base.items() if k not in removed}
            folded.update(replaced)  # base keys: they keep their place
            folded.update(added)
            return folded
        return Overlay(self._base, replaced, added, frozenset(removed))


def changed(
    mapping: Mapping[K, V], values: Mapping[K, V], dropped: Iterable[K] = ()
) -> Mapping[K, V]:
    """`mapping` (a dict or an `Overlay`, left unchanged) with `dropped` keys removed and then
    `values` set, without copying a large dict."""
    view = mapping if isinstance(mapping, Overlay) else Overlay(mapping)  # type: ignore[arg-type]
    return view.changed(values, dropped)


class Prefix(Sequence[T]):
    """The first `n` entries of a list that later versions append to; never changes. (The list
    counterpart of `retrieval.vector_scan._Grown`, which does the same for the vector rows.)"""

    __slots__ = ("_data", "_lock", "_n")

    def __init__(self, data: list[T], n: int | None = None, lock: threading.Lock | None = None):
        self._data = data  # shared: entries below any version's n are never written again
        self._n = len(data) if n is None else n
        self._lock = lock or threading.Lock()  # one appender at a time per shared list

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index):  # an int (or a slice: a copy)
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError("row out of range")
        return self._data[index]

    def __iter__(self) -> Iterator[T]:
        return itertools.islice(self._data, self._n)

    def extended(self, more: Iterable[T]) -> Prefix[T]:
        """These entries followed by `more`: in place when no other version appended after
        them, else in a new list (a copy, when two versions grow from the same one)."""
        more = list(more)
        with self._lock:
            if len(self._data) == self._n:
                self._data.extend(more)
                return Prefix(self._data, self._n + len(more), self._lock)
        return Prefix(list(self) + more)
