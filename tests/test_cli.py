"""The command line as a user runs it: `convrec index`, `convrec ask --json`, and imports."""

from __future__ import annotations

import json
import subprocess
import sys

CONVREC = [sys.executable, "-m", "convrec"]


def run(*args, **kwargs):
    return subprocess.run(
        [*CONVREC, *args], capture_output=True, text=True, timeout=300, check=False, **kwargs
    )


def test_ask_json_returns_reply_items_and_state(db):
    out = run(
        "ask",
        "--db",
        str(db),
        "--llm",
        "none",
        "--session",
        "cli",
        "--message",
        "I loved Alien and Aliens",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    turn = json.loads(out.stdout)
    assert turn["reply"] and len(turn["items"]) == 5
    assert set(turn["items"][0]) >= {"id", "title", "score", "reason"}
    assert turn["state"]["liked_items"]

    again = run(
        "ask",
        "--db",
        str(db),
        "--llm",
        "none",
        "--session",
        "cli",
        "--message",
        "seen the first one",
        "--json",
    )
    state = json.loads(again.stdout)["state"]
    assert state["seen_items"] == [turn["items"][0]["id"]]  # the session was kept on disk


def test_empty_message_is_a_clear_error(db):
    out = run("ask", "--db", str(db), "--llm", "none", "--session", "x", "--message", " ", "--json")
    assert out.returncode == 2 and "empty" in json.loads(out.stdout)["error"]


def test_index_reports_bad_rows_and_is_incremental(tmp_path):
    catalog = tmp_path / "mine.jsonl"
    catalog.write_text(
        '{"id": "1", "title": "Heat", "year": 1995, "genres": ["crime"], "text": "A heist."}\n'
        '{"id": "2", "year": 1990}\n'
    )
    args = ("index", "--catalog", str(catalog), "--db", str(tmp_path / "db"), "--quiet")
    first = run(*args)
    assert first.returncode == 0, first.stderr
    assert (
        "loaded 1 items, skipped 1 rows" in first.stdout and "line 2: field 'title'" in first.stdout
    )
    assert "added 1" in first.stdout
    assert "unchanged 1" in run(*args).stdout


def test_missing_index_is_explained(tmp_path):
    out = run("ask", "--db", str(tmp_path), "--llm", "none", "--session", "x", "--message", "hi")
    assert out.returncode == 1 and "convrec index" in out.stderr


def test_importing_agent_loads_no_model():
    code = (
        "import sys, agent, retrieval.index, retrieval.pipeline; "
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers', 'chromadb')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.stdout.strip() == "[]"


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_items_indexed_by_another_process_are_recommended_and_named_at_once(db, tmp_path):
    from agent import Settings, build_agent

    agent = build_agent(Settings(db=db, llm="none"))
    assert agent.reply("before", "I want a comedy").items  # the catalog is read and kept
    new = _jsonl(
        tmp_path / "new.jsonl",
        [
            {
                "id": f"zx{i}",
                "title": f"Zorblax Chronicles {i}",
                "genres": ["comedy"],
                "text": "A hilarious comedy about zorblax aliens.",
            }
            for i in range(20)
        ],
    )
    out = run("index", "--catalog", str(new), "--db", str(db), "--quiet")
    assert "added 20" in out.stdout, out.stderr

    turn = agent.reply("after", "I want a comedy about zorblax aliens")
    assert turn.error is None and turn.items[0].id.startswith("zx")
    named = agent.reply("named", "I loved Zorblax Chronicles 3")
    assert named.error is None and named.state.liked_items == ["zx3"]


def test_a_poisoned_row_is_corrected_deleted_or_pruned(tmp_path, capsys):
    from agent import Settings, build_agent
    from convrec.cli import main

    rows = [
        {
            "id": f"c{i}",
            "title": f"Comedy Number {i}",
            "genres": ["comedy"],
            "text": "A funny film.",
            "popularity": 10 * i,
        }
        for i in range(1, 7)
    ]
    catalog, db = tmp_path / "mine.jsonl", str(tmp_path / "db")
    _jsonl(catalog, [*rows[:5], {**rows[5], "popularity": 1e12}])
    assert main(["index", "--catalog", str(catalog), "--db", db, "--quiet"]) == 0
    _jsonl(catalog, rows)
    assert main(["index", "--catalog", str(catalog), "--db", db, "--quiet"]) == 0
    assert "updated 1, unchanged 5" in capsys.readouterr().out

    agent = build_agent(Settings(db=tmp_path / "db", llm="none", k=10))
    shown = lambda session: {r.id for r in agent.reply(session, "I want a comedy").items}
    assert shown("a") == {f"c{i}" for i in range(1, 7)}
    assert main(["index", "--delete", "c1", "nope", "--db", db]) == 0
    assert "deleted 1; not in the index: nope" in capsys.readouterr().out
    assert shown("b") == {f"c{i}" for i in range(2, 7)}

    _jsonl(catalog, rows[2:])
    assert main(["index", "--catalog", str(catalog), "--db", db, "--prune", "--quiet"]) == 0
    assert "deleted 1" in capsys.readouterr().out
    assert shown("c") == {"c3", "c4", "c5", "c6"}


def test_prune_is_refused_when_rows_were_skipped(tmp_path, capsys):
    from convrec.cli import main

    catalog, db = tmp_path / "mine.jsonl", str(tmp_path / "db")
    _jsonl(catalog, [{"id": "1", "title": "Heat"}, {"id": "2", "title": "Up"}])
    assert main(["index", "--catalog", str(catalog), "--db", db, "--quiet"]) == 0
    _jsonl(catalog, [{"id": "1", "title": "Heat"}, {"id": "2", "year": 2009}])
    assert main(["index", "--catalog", str(catalog), "--db", db, "--prune", "--quiet"]) == 1
    assert "not pruning" in capsys.readouterr().err
