"""`convrec chat --demo books` / `convrec ui --demo books` and `--catalog goodbooks`: the book
catalog starts like the movie demo, and a missing data folder says where to get the data."""

from __future__ import annotations

import io

from convrec.cli import main


def test_chat_on_the_books_demo_greets_and_recommends_books(books_db, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("I loved The Final Empire\nquit\n"))
    assert main(["chat", "--demo", "books", "--db", str(books_db), "--llm", "none"]) == 0
    out = capsys.readouterr().out
    assert "What kind of books do you enjoy? Naming a book you loved" in out
    assert "by the same author, Brandon Sanderson" in out and "movie" not in out.lower()


def test_without_the_data_the_books_demo_says_where_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CONVREC_HOME", str(tmp_path / "home"))
    missing = tmp_path / "no-data"
    assert main(["chat", "--demo", "books", "--data", str(missing), "--llm", "none"]) == 1
    err = capsys.readouterr().err
    assert "https://github.com/zygmuntz/goodbooks-10k" in err and "--data" in err
    assert not (tmp_path / "home" / "demo-books" / "index").exists()


def test_the_books_demo_has_its_own_folder_and_reads_the_data_folder(
    books_sample_dir, tmp_path, monkeypatch
):
    from convrec.commands.demo import apply_demo

    class Args:
        demo, data, db, catalog = "books", books_sample_dir.parent, None, "movielens-100k"

    monkeypatch.setenv("CONVREC_HOME", str(tmp_path / "home"))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "goodbooks").symlink_to(books_sample_dir, target_is_directory=True)
    Args.data = tmp_path / "data"
    apply_demo(Args)
    assert Args.db == str(tmp_path / "home" / "demo-books")
    assert Args.catalog == str(tmp_path.resolve() / "data" / "goodbooks")  # not the movies


def test_catalog_goodbooks_is_the_data_folders(books_sample_dir, tmp_path):
    from convrec.commands.demo import catalog_source

    (tmp_path / "goodbooks").symlink_to(books_sample_dir, target_is_directory=True)
    assert catalog_source("goodbooks", tmp_path).endswith("goodbooks")
    assert catalog_source("movielens-100k", tmp_path) == "movielens-100k"
