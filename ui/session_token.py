"""The session tokens the browser app hands out: an unguessable session id and its signature.

The app's endpoints take a session from the browser, and anyone can call them directly. Signing
the ids the app creates means a caller can open only a conversation the app started for them:
not a guessed id, and not a session that another front end (`convrec chat --session alice`,
the Python API) keeps in the same sessions file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

SECRET_BYTES = 32
_PREFIX = "web-"  # tells the app's sessions apart from named ones in the sessions file
_MAX_TOKEN_CHARS = 200


class SessionTokens:
    """Issues and checks tokens `<session id>.<HMAC-SHA256 of the id>`."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < SECRET_BYTES:
            raise ValueError(f"the session secret must hold at least {SECRET_BYTES} bytes")
        self._secret = secret

    @classmethod
    def ephemeral(cls) -> SessionTokens:
        """Tokens valid while this process runs: a restarted app starts every tab afresh."""
        return cls(secrets.token_bytes(SECRET_BYTES))

    @classmethod
    def from_file(cls, path: Path) -> SessionTokens:
        """Tokens signed with the secret in `path` (created, mode 0600, when missing), so tabs
        reopen their conversations after the app restarts."""
        return cls(_read_or_create_secret(Path(path)))

    def issue(self) -> str:
        """A token for a new, empty session."""
        session_id = _PREFIX + secrets.token_urlsafe(18)
        return f"{session_id}.{self._sign(session_id)}"

    def session_of(self, token: object) -> str | None:
        """The session id in `token`, or None unless this app's secret signed it."""
        if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS:
            return None
        session_id, dot, signature = token.rpartition(".")
        if not dot or not session_id.startswith(_PREFIX):
            return None
        return session_id if hmac.compare_digest(signature, self._sign(session_id)) else None

    def _sign(self, session_id: str) -> str:
        digest = hmac.new(self._secret, session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _read_or_create_secret(path: Path) -> bytes:
    """The secret in `path`; a new random one is written first when the file is missing.

    Written to a private temporary file and linked into place, so two apps starting together on
    one folder agree on one secret and neither reads a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".ui-secret-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(secrets.token_bytes(SECRET_BYTES))
                file.flush()
                os.fsync(file.fileno())
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first; use theirs
        finally:
            os.unlink(temporary)
    secret = path.read_bytes()
    if len(secret) < SECRET_BYTES:
        raise ValueError(
            f"{path} holds {len(secret)} bytes, not a session secret of "
            f"{SECRET_BYTES}; delete it to make a new one"
        )
    return secret
