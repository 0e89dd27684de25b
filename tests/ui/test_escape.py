"""Chat text is shown as written: no image, link, tag or formatting comes out of it."""

from __future__ import annotations

import pytest

from tests.ui._markdown import rendered
from ui.escape import literal

HOSTILE = [
    "![x](http://127.0.0.1:9/pixel.png)",
    "<img src=http://127.0.0.1:9/p.png>",
    "[click](http://evil)",
    "<http://127.0.0.1:9/auto>",
    "<script>alert(1)</script>",
    "**bold** _it_ `code` ~~gone~~",
    "# Heading",
    "1. first",
    "- item",
    "> quoted",
    "a | b\n--|--\nc | d",
    "\\[escaped](http://evil) &amp; &lt;img&gt;",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_text_renders_as_itself_and_nothing_else(text):
    tags, shown = rendered(literal(text))
    assert set(tags) <= {"p", "br"}, tags  # no img, a, script, strong, h1, ol, table, ...
    assert shown == text


def test_plain_text_is_left_readable():
    assert literal("I loved Alien and Aliens") == "I loved Alien and Aliens"
