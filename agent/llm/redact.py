"""Credentials out of text that users, logs and the session store will see.

A server URL may carry a password (`http://user:secret@host:8000/v1`) and a request carries an
API key; neither may reach `Turn.error`, the UI, the session store or a log. The backends take
the userinfo out of the URL they request (`split_credentials`) and pass every message they build
from an exception or a server's answer through `redact`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

HIDDEN = "***"
# Up to the last "@" of the authority: a password typed with a raw "@" is hidden whole.
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s?#]*@")
_AUTH = re.compile(r"(?i)\b((?:bearer|basic)\s+)[^\s'\",;]+")  # an echoed Authorization header
_KEY_PARAM = re.compile(r"(?i)\b((?:api[_-]?key|access[_-]?token|token|key|password)=)[^&\s'\"]+")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with the userinfo of every URL, bearer and basic credentials, key-like query
    parameters and each of `secrets` (e.g. the API key in use) replaced by `***`.

    Args:
        text: a message, a URL, a server's answer.
        secrets: values known to be secret; empty and very short ones are ignored (a one-letter
            "secret" would blank out half the message).
    """
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{HIDDEN}@", text)
    text = _AUTH.sub(lambda m: f"{m[1]}{HIDDEN}", text)
    return _KEY_PARAM.sub(lambda m: f"{m[1]}{HIDDEN}", text)


def url_secrets(url: str) -> list[str]:
    """The password in `url`'s userinfo (or the user name when it stands alone: a token), raw
    and decoded: servers and libraries may echo either."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    secret = parts.password if parts.password is not None else parts.username
    return sorted({secret, unquote(secret)}) if secret else []


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """`url` without its userinfo, and the decoded (user, password) it held, if any.

    The request is then sent to the bare URL with the pair as basic auth (what httpx would do
    with the userinfo), so the password is not part of any URL that httpx logs or reports.
    """
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    host = parts.netloc.rpartition("@")[2]
    bare = urlunsplit(parts._replace(netloc=host))
    return bare, (unquote(parts.username or ""), unquote(parts.password or ""))
