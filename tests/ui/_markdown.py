"""What a markdown renderer makes of chat content: the HTML tags it produces and the text shown.

A CommonMark renderer with raw HTML on stands in for the browser's (Gradio's chat pane renders
markdown and keeps `<img>` and links); `test_browser.py` checks the real one.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data


def rendered(content: str) -> tuple[list[str], str]:
    """(the tags the renderer made, the text a reader sees) for one chat message."""
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py comes with gradio")
    page = _Page()
    page.feed(markdown_it.MarkdownIt("commonmark", {"html": True}).render(content))
    page.close()
    return [tag for tag, _ in page.tags], page.text.strip()
