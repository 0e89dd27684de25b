from __future__ import annotations

import json

import pytest

from retrieval.catalog import load_catalog


def test_jsonl_bad_rows_are_reported_with_line_and_field_and_the_rest_load(tmp_path):
    rows = [
        {"id": "a", "title": "Good One", "year": 1999, "genres": ["Comedy"]},
        {"id": "b", "title": "", "text": "no title"},
        "not json",
        {"id": "c", "title": "Bad Year", "year": "soon"},
        {"id": "a", "title": "Duplicate"},
        {"id": "d", "title": "Also Good", "people": {"director": ["Jane Doe"]}, "colour": "red"},
        {"id": "e", "title": "Fine", "attributes": {"colour": "red"}},
    ]
    path = tmp_path / "catalog.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")

    load = load_catalog(path)

    assert [item.id for item in load.items] == ["a", "e"]
    assert load.items[0].genres == ["comedy"]
    errors = {(e.line, e.field) for e in load.errors}
    assert {(2, "title"), (3, "-"), (4, "year"), (5, "id"), (6, "colour")} <= errors
    assert "loaded 2 items, skipped 5 rows" in load.summary()
    assert "line 4: field 'year'" in load.summary()


def test_csv_catalog_with_lists_people_and_attributes(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(
        "id,title,year,genres,people.director,text,rating\n"
        "1,Heat,1995,crime|thriller,Michael Mann,A heist.,PG-13\n"
        "2,,2001,drama,,,R\n"
        "3,Up,2009,animation|family,Pete Docter,Balloons.,PG\n"
    )
    load = load_catalog(path)
    assert [i.title for i in load.items] == ["Heat", "Up"]
    assert load.items[0].people == {"director": ["Michael Mann"]}
    assert load.items[0].attributes == {"rating": "PG-13"}
    assert [(e.line, e.field) for e in load.errors] == [(3, "title")]


def test_csv_without_required_columns_says_which(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text("name,year\nHeat,1995\n")
    load = load_catalog(path)
    assert not load.items and load.errors[0].field == "id,title"


def test_unknown_format_and_missing_file_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unsupported catalog format '.txt'"):
        (tmp_path / "c.txt").write_text("x")
        load_catalog(tmp_path / "c.txt")
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        load_catalog(tmp_path / "nope.jsonl")


def test_redial_catalog_loads_every_movie_with_popularity_from_valid_only(redial_dir):
    load = load_catalog(redial_dir / "catalog.json")
    assert len(load.items) == 6583 and not load.errors
    alien = next(i for i in load.items if i.title == "Alien" and i.year == 1979)
    assert "sci-fi" in alien.genres and alien.people["director"] == ["Ridley Scott"]
    assert max(i.popularity for i in load.items) > 10


def test_movielens_demo_catalog_from_recbole():
    load = load_catalog("movielens-100k")
    assert len(load.items) == 1682 and not load.errors
    titles = {i.title for i in load.items}
    assert "The Usual Suspects" in titles and "Toy Story" in titles


def test_a_byte_that_is_not_utf8_spoils_only_its_row(tmp_path):
    jsonl = tmp_path / "catalog.jsonl"
    jsonl.write_bytes(
        b'\xef\xbb\xbf{"id": "1", "title": "Heat", "year": 1995}\n'  # a BOM is fine
        b'{"id": "2", "title": "Caf\xe9 Society"}\n'  # Latin-1, not UTF-8
        b'{"id": "3", "title": "Am\xc3\xa9lie"}\n'
    )
    load = load_catalog(jsonl)
    assert [i.title for i in load.items] == ["Heat", "Amélie"]
    assert [(e.line, e.field) for e in load.errors] == [(2, "-")]
    assert "line 2" in load.summary() and "not valid UTF-8: byte 0xe9" in load.summary()

    csv = tmp_path / "catalog.csv"
    csv.write_bytes(
        b"id,title,text\n1,Heat,A heist.\n2,Caf\xe9 Society,Woody Allen.\n3,Am\xc3\xa9lie,Paris.\n"
    )
    load = load_catalog(csv)
    assert [i.title for i in load.items] == ["Heat", "Amélie"]
    assert [(e.line, e.field) for e in load.errors] == [(3, "title")]
    assert "not valid UTF-8" in load.summary()
