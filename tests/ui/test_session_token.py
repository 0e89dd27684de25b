"""The browser app's session tokens: unguessable, signed, and kept across restarts per folder."""

from __future__ import annotations

import stat

from ui.session_token import SessionTokens


def test_a_token_names_a_new_session_and_only_its_signer_accepts_it():
    tokens, other = SessionTokens.ephemeral(), SessionTokens.ephemeral()
    token = tokens.issue()
    session = tokens.session_of(token)
    assert session and session != token and token != tokens.issue()
    assert other.session_of(token) is None


def test_names_guesses_and_forgeries_are_refused():
    tokens = SessionTokens.ephemeral()
    session = tokens.session_of(tokens.issue())
    for forged in (
        "alice",
        "",
        session,
        f"{session}.",
        f"{session}.AAAA",
        "alice." + "A" * 43,
        tokens.issue()[:-1],
        None,
        42,
        "x" * 10_000,
    ):
        assert tokens.session_of(forged) is None, forged


def test_the_secret_file_is_private_and_survives_a_restart(tmp_path):
    path = tmp_path / "db" / "ui-secret"
    token = SessionTokens.from_file(path).issue()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    restarted = SessionTokens.from_file(path)
    assert restarted.session_of(token) is not None
    assert SessionTokens.from_file(tmp_path / "other-secret").session_of(token) is None
    assert [p.name for p in path.parent.iterdir()] == ["ui-secret"]  # no temporary file left
