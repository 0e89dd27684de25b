"""Versions of the catalog's maps share one large dict / list; each reads as its own copy would."""

import random

import pytest

from retrieval import overlay
from retrieval.overlay import Overlay, Prefix, changed


def test_every_version_reads_like_a_copy_of_the_dict_with_its_changes():
    rng = random.Random(0)
    base = {f"i{n}": n for n in range(2_000)}  # changes stay under the fold share for a while
    versions = [(base, dict(base))]  # (the view, what a copied dict would hold)
    next_key = 2_000
    for _ in range(60):
        view, expected = versions[rng.randrange(len(versions))]  # old versions change too
        keys = list(expected)
        dropped = rng.sample(keys, 2)
        values = {k: -1 for k in rng.sample(keys, 2)}  # replaced (or re-added after a drop)
        values |= {k: -2 for k in dropped[:1]}  # dropped, then back: it goes last
        values[f"i{next_key}"] = next_key
        next_key += 1
        copy = dict(expected)
        for k in dropped:
            copy.pop(k)
        copy.update(values)
        versions.append((changed(view, values, dropped), copy))
    assert any(isinstance(view, Overlay) for view, _ in versions[1:])
    for view, expected in versions:
        assert len(view) == len(expected)
        assert list(view) == list(expected)  # same order: replaced in place, new ones last
        assert dict(view.items()) == expected
        assert all(view[k] == v for k, v in expected.items())
        missing = [k for k in base if k not in expected]
        assert all(k not in view and view.get(k) is None for k in missing)
        with pytest.raises(KeyError):
            view[missing[0] if missing else "nothing"]
    assert base == {f"i{n}": n for n in range(2_000)}  # the shared dict was never written


def test_many_changes_fold_into_a_plain_dict():
    base = {n: n for n in range(32)}
    view = changed(base, {100: 100}, [0])
    assert isinstance(view, Overlay)
    folded = changed(view, {101: 101, 102: 102}, [1])  # 5 changes > 32 / 16
    assert type(folded) is dict
    assert list(folded) == [n for n in range(2, 32)] + [100, 101, 102]
    assert overlay.FOLD_SHARE * 32 < 5


def test_each_version_of_a_grown_list_keeps_its_own_rows():
    first = Prefix(["a", "b"])
    second = first.extended(["c"])
    assert list(first) == ["a", "b"] and len(first) == 2
    assert list(second) == ["a", "b", "c"] and second[-1] == "c" and second[1:] == ["b", "c"]
    with pytest.raises(IndexError):
        first[2]  # appended for the next version: not a row of this one
    # Another version grown from the first one again: it may not overwrite the second's row.
    other = first.extended(["x", "y"])
    assert list(other) == ["a", "b", "x", "y"] and list(second) == ["a", "b", "c"]
    assert list(second.extended(["d"])) == ["a", "b", "c", "d"]
