"""A learned second embedding space: the dialogue so far -> the items recommenders named next.

The index's MiniLM vectors match what an utterance *says*; recommenders in ReDial answer with what
people *watch next*, which the words alone barely predict (embedding-only retrieval: R@50 .12).
`convrec train-retriever` fine-tunes a copy of MiniLM on (recent dialogue, recommended item) pairs
of the ReDial validation split with in-batch negatives; this class loads that model and serves
two things to the pipeline: nearest items to a dialogue (extra candidates) and a dialogue-item
similarity (a ranking signal).

Item vectors under the tuned model are kept next to it (`item_vectors.npz`, keyed by item
fingerprint), so restarts are instant and only new or changed items are embedded: items added to
the catalog are reachable from their text alone, like in the main index. While running, a catalog
change embeds only the items it touched, in memory (`VectorScan.updated`); the file is brought up
to date at the next full read (a restart), which embeds whatever it lacks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.embedder import Embedder
from retrieval.overlay import Prefix, changed
from retrieval.vector_scan import VectorScan

if TYPE_CHECKING:
    import numpy as np

    from retrieval.index import ItemIndex

DIR_NAME = "dialogue-encoder"
VECTORS_FILE = "item_vectors.npz"
META_FILE = "training.json"
RECENT_UTTERANCES = 6  # what the encoder reads: the last few utterances, newest first
TEXT_CACHE = 20_000  # dialogue texts kept embedded (the evaluator primes thousands)


def dialogue_text(utterances: list[str]) -> str:
    """The encoder's input: recent utterances newest first, so truncation drops the oldest."""
    recent = [" ".join(u.split()) for u in utterances[-RECENT_UTTERANCES:] if u.strip()]
    return " | ".join(reversed(recent))


@dataclass(frozen=True)
class _ItemVectors:
    """The items' vectors under the tuned model, for one catalog version (replaced whole, so a
    turn never sees the rows of one version with the ids of another)."""

    ids: Prefix[str]  # by row (a row ruled out by an update keeps its id)
    row: Mapping[str, int]  # live rows only
    scan: VectorScan
    version: int  # the index version they were built for


class DialogueEncoder:
    def __init__(self, path: Path, index: ItemIndex) -> None:
        self.path = Path(path)
        self.embedder = Embedder(self.path)
        self.index = index
        self._vectors: _ItemVectors | None = None
        self._texts: dict[str, np.ndarray] = {}

    @property
    def meta(self) -> dict:
        """What `convrec train-retriever` recorded (pairs, folds held out, seconds)."""
        path = self.path / META_FILE
        return json.loads(path.read_text()) if path.is_file() else {}

    @property
    def scan(self) -> VectorScan:
        """The search over the item vectors of the current catalog version."""
        return self.sync().scan

    def prime(self, texts: list[str]) -> None:
        """Embed many dialogue texts in batches ahead of time (the evaluator's speed-up)."""
        fresh = [t for t in dict.fromkeys(texts) if t and t not in self._texts]
        if fresh:
            self._texts.update(zip(fresh, self.embedder.embed(fresh), strict=True))

    def search(self, utterances: list[str], k: int) -> list[tuple[str, float]]:
        """The k items closest to the dialogue, best first, as (id, cosine)."""
        vector = self._text_vector(utterances)
        if vector is None:
            return []
        vectors = self.sync()
        rows, scores = vectors.scan.score(vector).best(k)
        return [(vectors.ids[j], s) for j, s in zip(rows.tolist(), scores.tolist(), strict=True)]

    def similarities(self, utterances: list[str], ids: list[str]) -> list[float]:
        """Cosine between the dialogue and each item (0 for an empty dialogue)."""
        vector = self._text_vector(utterances)
        if vector is None:
            return [0.0] * len(ids)
        vectors = self.sync()
        rows = [vectors.row.get(i) for i in ids]
        known = vectors.scan.matrix[[r for r in rows if r is not None]] @ vector
        values = iter(known.tolist())
        return [next(values) if r is not None else 0.0 for r in rows]

    def _text_vector(self, utterances: list[str]):
        text = dialogue_text(utterances)
        if not text:
            return None
        if text not in self._texts:
            if len(self._texts) >= TEXT_CACHE:
                self._texts.clear()
            self._texts[text] = self.embedder.embed([text])[0]
        return self._texts[text]

    def sync(self) -> _ItemVectors:
        """Item vectors for every item of the index, for its current version."""
        vectors, version = self._vectors, self.index.version
        if vectors is not None and vectors.version == version:
            return vectors
        touched = None if vectors is None else self.index.changed_since(vectors.version)
        if vectors is None or self.index.should_reread(touched, len(vectors.row)):
            vectors = self._read_all(version)
        elif vectors.scan.dead + len(touched) > len(vectors.ids) // 4:
            vectors = self._read_all(version)  # rows ruled out pile up: start afresh
        else:
            vectors = self._updated(vectors, touched, version)
        self._vectors = vectors
        return vectors

    def _read_all(self, version: int) -> _ItemVectors:
        """From the file; new or changed items embedded (and saved)."""
        import numpy as np

        items = self.index.items()
        stored = self._load()
        fresh = [
            it for it in items.values() if stored.get(it.id, (None,))[0] != it.content_fingerprint()
        ]
        if fresh:
            vectors = self.embedder.embed([it.document() for it in fresh])
            stored.update(
                {it.id: (it.content_fingerprint(), v) for it, v in zip(fresh, vectors, strict=True)}
            )
            self._save(stored)
        ids = [i for i in items if i in stored]
        matrix = np.asarray([stored[i][1] for i in ids], dtype="float32")
        row = {i: n for n, i in enumerate(ids)}
        return _ItemVectors(Prefix(ids), row, VectorScan(matrix), version)

    def _updated(self, old: _ItemVectors, touched: set[str], version: int) -> _ItemVectors:
        """`old` with the touched items embedded again (deleted ones ruled out), in memory."""
        items = self.index.items()
        fresh = [items[i] for i in sorted(touched) if i in items]  # a stable row order
        vectors = (
            self.embedder.embed([it.document() for it in fresh]) if fresh else old.scan.matrix[:0]
        )
        scan = old.scan.updated([old.row[i] for i in touched if i in old.row], vectors)
        start = len(old.ids)
        row = changed(old.row, {it.id: start + k for k, it in enumerate(fresh)}, touched)
        return _ItemVectors(old.ids.extended(it.id for it in fresh), row, scan, version)

    def _load(self) -> dict[str, tuple[str, np.ndarray]]:
        import numpy as np

        path = self.path / VECTORS_FILE
        if not path.is_file():
            return {}
        data = np.load(path, allow_pickle=False)
        return {
            i: (f, v)
            for i, f, v in zip(
                data["ids"].tolist(), data["fingerprints"].tolist(), data["vectors"], strict=True
            )
        }

    def _save(self, stored: dict[str, tuple[str, np.ndarray]]) -> None:
        import numpy as np

        ids = list(stored)
        tmp = self.path / ("partial-" + VECTORS_FILE)
        np.savez(
            tmp,
            ids=np.array(ids),
            fingerprints=np.array([stored[i][0] for i in ids]),
            vectors=np.asarray([stored[i][1] for i in ids], dtype="float32"),
        )
        tmp.replace(self.path / VECTORS_FILE)
