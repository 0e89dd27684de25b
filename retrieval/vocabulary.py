"""Which words are ordinary dictionary words, read from the embedding model's own vocabulary.

The linker needs it to tell a coined title ("superbad", "jumanji", "mistborn": not words, so
surely meant as titles even in lower case and without a cue) from a title that is also a word
("click", "avatar": a cue is needed), and a typo ("inceptin") from a word it should leave alone.
The WordPiece vocabulary of the local sentence-transformers model holds some 22,000 whole words,
the common English ones among them, and ships with the model: no word list to download.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=4)
def dictionary_words(model_path: Path | None = None) -> frozenset[str]:
    """The whole, alphabetic, lower-case words of a WordPiece vocabulary (``vocab.txt``).

    Args:
        model_path: a sentence-transformers model folder; default: the shipped MiniLM.

    Returns:
        The words; empty when no vocabulary is found, which makes the linker ask for a cue
        before every lower-case single word (the cautious reading).
    """
    from retrieval.embedder import default_embedding_model

    try:
        folder = Path(model_path) if model_path else default_embedding_model()
    except ModuleNotFoundError:
        return frozenset()
    vocab = folder / "vocab.txt"
    if not vocab.is_file():
        return frozenset()
    with vocab.open(encoding="utf-8") as handle:
        return frozenset(
            token
            for token in (line.strip() for line in handle)
            if token.isalpha() and token.islower()
        )
