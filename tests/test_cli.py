"""The command line as a user runs it: `convrec index`, `convrec ask --json`, and imports."""

from __future__ import annotations

import json
import subprocess
import sys

CONVREC = [sys.executable, "-m", "convrec"]


def run(*args, **kwargs):
    return subprocess.run([*CONVREC, *args], capture_output=True, text=True, timeout=300, **kwargs)


def test_ask_json_returns_reply_items_and_state(db):
    out = run("ask", "--db", str(db), "--llm", "none", "--session", "cli",
              "--message", "I loved Alien and Aliens", "--json")
    assert out.returncode == 0, out.stderr
    turn = json.loads(out.stdout)
    assert turn["reply"] and len(turn["items"]) == 5
    assert set(turn["items"][0]) >= {"id", "title", "score", "reason"}
    assert turn["state"]["liked_items"]

    again = run("ask", "--db", str(db), "--llm", "none", "--session", "cli",
                "--message", "seen the first one", "--json")
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
    assert "loaded 1 items, skipped 1 rows" in first.stdout and "line 2: field 'title'" in first.stdout
    assert "added 1" in first.stdout
    assert "unchanged 1" in run(*args).stdout


def test_missing_index_is_explained(tmp_path):
    out = run("ask", "--db", str(tmp_path), "--llm", "none", "--session", "x", "--message", "hi")
    assert out.returncode == 1 and "convrec index" in out.stderr


def test_importing_agent_loads_no_model():
    code = ("import sys, agent, retrieval.index, retrieval.pipeline; "
            "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers', 'chromadb')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]"
