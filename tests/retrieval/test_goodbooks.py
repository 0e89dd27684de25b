"""The goodbooks-10k loader on the real data (a sample, and once the whole catalog), its
reports of malformed rows, and the attribute limits books are filtered by."""

from __future__ import annotations

import csv
import shutil

import pytest

from retrieval.catalog import load_catalog
from retrieval.catalog.goodbooks import GENRE_TAGS, load_goodbooks, split_series
from retrieval.schema import AttributeLimits, Item, ItemFilter


def test_a_series_suffix_becomes_the_series():
    assert split_series("The Hunger Games (The Hunger Games, #1)") == (
        "The Hunger Games",
        "The Hunger Games #1",
        "The Hunger Games",
        1.0,
    )
    assert split_series("The Color of Magic (Discworld, #1; Rincewind #1)")[1:] == (
        "Discworld #1",
        "Discworld",
        1.0,
    )
    # A boxed set keeps its series but has no number; a subtitle in brackets is no series.
    assert split_series("Mistborn Trilogy Boxed Set (Mistborn, #1-3)")[1:] == (
        "Mistborn #1-3",
        "Mistborn",
        None,
    )
    assert split_series("The Silmarillion (Middle-Earth Universe)") == (
        "The Silmarillion (Middle-Earth Universe)",
        None,
        None,
        None,
    )


def test_a_book_has_its_title_series_author_year_genres_rating_and_popularity(book_items):
    books = {it.id: it for it in book_items}
    hunger = books["1"]
    assert hunger.title == "The Hunger Games" and hunger.year == 2008
    assert hunger.people == {"author": ["Suzanne Collins"]}
    assert hunger.attributes["series"] == "The Hunger Games #1"
    assert hunger.attributes["series_name"] == "The Hunger Games"
    assert hunger.attributes["average_rating"] == 4.34
    assert hunger.attributes["image_url"].startswith("https://")
    assert hunger.popularity == 4780653  # ratings_count
    assert {"young-adult", "dystopian"} <= set(hunger.genres)
    assert books["2"].people["author"] == ["J.K. Rowling", "Mary GrandPré"]
    assert books["389"].title == "The Final Empire"
    assert (
        "Young-adult" not in hunger.document() and "Author: Suzanne Collins." in hunger.document()
    )


def test_genres_are_genre_shelves_only(book_items):
    allowed = set(GENRE_TAGS.values())
    genres = {g for it in book_items for g in it.genres}
    assert genres <= allowed
    assert not genres & {"to-read", "favorites", "owned", "kindle", "fiction", "series"}
    assert sum(1 for it in book_items if it.genres) >= 0.99 * len(book_items)


def test_the_whole_catalog_loads_without_a_skipped_row(goodbooks_dir):
    load = load_catalog(goodbooks_dir)
    assert (len(load.items), len(load.errors)) == (10_000, 0)
    ancient = next(it for it in load.items if it.title == "The Odyssey")
    # The Iliad and the Odyssey predate the years the schema holds: said, never filtered on.
    assert ancient.year is None and ancient.attributes["publication_year"] == -720


def _copy_with_rows(sample, tmp_path, edit):
    folder = tmp_path / "goodbooks"
    shutil.copytree(sample, folder)
    with (folder / "books.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    rows = edit(rows)
    with (folder / "books.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    return folder


def test_malformed_rows_are_reported_with_their_line_and_field(books_sample_dir, tmp_path):
    def spoil(rows):
        rows[0]["average_rating"] = "four"  # line 2
        rows[1]["title"] = "  "  # line 3
        rows[2]["original_publication_year"] = "soon"  # line 4
        rows[3]["book_id"] = rows[4]["book_id"]  # line 5 duplicates line 6
        return rows

    load = load_goodbooks(_copy_with_rows(books_sample_dir, tmp_path, spoil))
    found = {(e.line, e.field) for e in load.errors}
    assert found == {
        (2, "average_rating"),
        (3, "title"),
        (4, "original_publication_year"),
        (6, "id"),
    }
    assert "not a number: 'four'" in str(load.errors[0])
    assert len(load.items) == len(load_goodbooks(books_sample_dir).items) - 4


def test_a_folder_without_books_says_where_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="github.com/zygmuntz/goodbooks-10k"):
        load_goodbooks(tmp_path)


def _book(**attributes) -> Item:
    return Item(id="b", title="B", people={"author": ["Ann Author"]}, attributes=attributes)


def test_attribute_limits_filter_ratings_series_and_authors():
    rated = _book(average_rating=4.3, series="S #2", series_name="S", series_number=2.0)
    plain = _book(average_rating=3.9)
    unrated = _book()
    above = ItemFilter(limits=AttributeLimits(minimum={"average_rating": 4.2}))
    assert [above.accepts(b) for b in (rated, plain, unrated)] == [True, False, False]
    standalone = AttributeLimits(absent=["series"])
    assert [standalone.accepts(b) for b in (rated, plain)] == [False, True]
    assert AttributeLimits(one_of={"series_name": ["S"]}).accepts(rated)
    assert not AttributeLimits(none_of={"series_name": ["S"]}).accepts(rated)
    assert AttributeLimits(people=["Ann Author"]).accepts(plain)
    assert not AttributeLimits(not_people=["Ann Author"]).accepts(plain)
    assert AttributeLimits().is_empty() and ItemFilter().accepts(unrated)


def test_newer_limits_replace_older_ones():
    said = AttributeLimits(minimum={"average_rating": 4.0}, absent=["series"], people=["A"])
    later = said.merged(AttributeLimits(minimum={"average_rating": 4.4}, present=["series"]))
    assert later.minimum == {"average_rating": 4.4}
    assert (later.present, later.absent, later.people) == (["series"], [], ["A"])
    other = later.merged(AttributeLimits(not_people=["A"]))
    assert (other.people, other.not_people) == ([], ["A"])
    same = AttributeLimits(one_of={"series_name": ["S"]})
    assert same.merged(AttributeLimits(none_of={"series_name": ["S"]})).one_of == {}
