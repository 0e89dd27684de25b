"""Text shown as is in components that render markdown (the chat pane, the status line).

Catalog titles, plots and reasons, and what users type, are data: rendered as markdown, a title
holding `![x](http://host/pixel.png)` or `<img src=...>` would make every viewer's browser fetch
that address, and `[click](http://...)` would become a live link.
"""

from __future__ import annotations

import re
import string
from html import escape

# Every ASCII punctuation character may be backslash-escaped in CommonMark, which covers emphasis,
# links, images, headings, lists, tables, code and the bare-URL and e-mail autolinks of GFM (their
# `:`, `.` and `@`). `&`, `<` and `>` become entities instead: a backslash before them is not
# honoured by every renderer, an entity is.
_PUNCTUATION = "".join(c for c in string.punctuation if c not in "&<>")
_SPECIAL = re.compile(f"([{re.escape(_PUNCTUATION)}])")


def literal(text: str) -> str:
    """Markdown that displays `text` verbatim: no formatting, link, image or HTML tag.

    Args:
        text: any text, e.g. a reply holding catalog titles, or a user's message.

    Returns:
        `text` with markdown specials backslash-escaped and `&`, `<`, `>` as HTML entities.
    """
    return escape(_SPECIAL.sub(r"\\\1", text), quote=False)
