"""The shortlist: the items the user liked, as plain text to copy or download."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from retrieval.schema import Item


def shortlist_text(liked: list[str], items: dict[str, Item]) -> str:
    """One line per liked item, oldest first: "Alien (1979) — horror, sci-fi". Ids no longer in
    the catalog are left out (there is no title to show)."""
    lines = []
    for item_id in liked:
        item = items.get(item_id)
        if item is None:
            continue
        genres = ", ".join(item.genres)
        lines.append(f"{item.display_title} — {genres}" if genres else item.display_title)
    return "\n".join(lines)


class Downloads:
    """The shortlist files the download button serves, in a temporary folder of this process.
    A file is named by its content's hash: the same list is written once, and one user's file
    name says nothing about another's."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="convrec-shortlist-"))

    def write(self, text: str) -> str:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        path = self.folder / digest / "shortlist.txt"
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            path.write_text(text + "\n", encoding="utf-8")
        return str(path)
