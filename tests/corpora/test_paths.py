"""Where the data is found: --data, then $CONVREC_DATA, then ../shared/data; errors name both."""

from __future__ import annotations

import pytest

from corpora.paths import ENV, DataNotFound, data_path


def test_the_flag_wins_over_the_variable(tmp_path, monkeypatch):
    (tmp_path / "flag" / "redial").mkdir(parents=True)
    (tmp_path / "env").mkdir()
    monkeypatch.setenv(ENV, str(tmp_path / "env"))
    assert data_path(tmp_path / "flag", "redial") == tmp_path / "flag" / "redial"
    assert data_path(None) == tmp_path / "env"


def test_without_flag_or_variable_the_checkout_layout_is_used(tmp_path, monkeypatch):
    (tmp_path / "shared" / "data" / "iard").mkdir(parents=True)
    (tmp_path / "checkout").mkdir()
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.chdir(tmp_path / "checkout")
    assert data_path(None, "iard") == tmp_path / "shared" / "data" / "iard"


def test_missing_data_names_the_flag_and_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataNotFound, match="--data DIR or set CONVREC_DATA"):
        data_path(None, "redial")
    tmp_path.joinpath("data").mkdir()
    with pytest.raises(DataNotFound, match=r"redial.*--data DIR or set CONVREC_DATA") as caught:
        data_path(tmp_path / "data", "redial")
    assert "from --data" in str(caught.value)


def test_a_command_reports_missing_data_without_a_traceback(tmp_path, capsys):
    from convrec.cli import main

    code = main(["build-cooccurrence", "--db", str(tmp_path / "db"), "--data", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("convrec: error: redial not found")
    assert "--data" in err and ENV in err and "Traceback" not in err
