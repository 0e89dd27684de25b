"""A persistent Chroma collection of catalog items, embedded locally.

Each item is stored with its embedding, its whole `Item` as JSON (so the index is the catalog at
run time), its genres as an array for `$contains` filters, and a fingerprint that makes
re-indexing incremental: only new or changed items are written, and only those whose text
changed are embedded again.

Several processes may share the folder (`convrec index` beside a running app): each write is
announced with the ids it touched, and the others re-read those items on their next call
(`retrieval.collection`, `retrieval.change_journal`).
With a Chroma server (`chroma_url`), workers on any machine share its collection the same way
(`retrieval.server_collection`); the items are still embedded here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.change_log import MAX_ROWS
from retrieval.collection import shared_collection
from retrieval.overlay import changed
from retrieval.schema import Candidate, Item, ItemFilter
from retrieval.server_collection import server_collection

if TYPE_CHECKING:
    import numpy as np

    from retrieval.embedder import Embedder

_WRITE_BATCH = 512  # Chroma caps a single write; 512 rows is well under it and keeps memory flat
_READ_PAGE = 5_000  # rows per read of the whole catalog (about 20 MB of vectors as JSON)
REREAD_SHARE = 0.2  # a change touching more of the catalog than this reads all of it again


@dataclass
class IndexReport:
    """What one `ItemIndex.add` call changed."""

    added: int = 0  # ids the index did not have
    updated: int = 0  # ids whose fields changed (re-embedded only when their text changed)
    unchanged: int = 0  # ids skipped because their fingerprint matched
    deleted: int = 0  # ids removed (`index_catalog(prune=True)`)
    seconds: float = 0.0

    def __str__(self) -> str:
        deleted = f", deleted {self.deleted}" if self.deleted else ""
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}{deleted} "
            f"in {self.seconds:.1f}s"
        )


class ItemIndex:
    """Vector search over catalog items with metadata filters."""

    def __init__(self, path: Path, embedder: Embedder, chroma_url: str | None = None) -> None:
        """
        Args:
            path: the index folder (unused, and not made, when `chroma_url` is given).
            chroma_url: a Chroma server, http://host:port, instead of the folder.

        Raises:
            ChromaUnavailable: `chroma_url` does not answer.
        """
        self.path = Path(path)
        self.embedder = embedder
        if chroma_url:
            self._store = server_collection(chroma_url, embedder.name)
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = shared_collection(self.path, embedder.name)
        self._items: Mapping[str, Item] | None = None
        self._items_version = -1  # the `version` `_items` was read at

    @property
    def version(self) -> int:
        """Changes whenever items are added, changed or deleted, by this process or another one
        (one `stat` of a file to know); every cache of the items keys on it."""
        return self._store.check()

    def __len__(self) -> int:
        return self._store.run(lambda c: c.count())

    def release(self) -> None:
        """Drop what the store keeps in this process once the catalog is in memory: an embedded
        Chroma holds its own copy of the folder after a full read (about 2 GB at 1M items).
        The next call that needs Chroma itself (a write, a change too large to log its rows)
        reads the folder again."""
        self._store.release()

    def changed_since(self, version: int) -> set[str] | None:
        """The ids added, changed or deleted since `version` (by any process), or None when
        that is not known: then everything read at `version` must be read again. Read the
        version before what you build on it; re-reading an id twice is harmless."""
        return self._store.journal.touched_since(version)

    def should_reread(self, touched: set[str] | None, size: int) -> bool:
        """Whether a copy of `size` items is cheaper to read again than to update."""
        return touched is None or len(touched) > REREAD_SHARE * max(size, 1)

    def add(self, items: list[Item], progress: bool = True) -> IndexReport:
        """Add or update items; unchanged ones cost nothing. Searchable as soon as it returns,
        in this process and in every other one that reads the folder."""
        import time

        started = time.perf_counter()
        known = self._stored([item.id for item in items])
        fresh = [item for item in items if _fingerprint(known.get(item.id)) != item.fingerprint()]
        report = IndexReport(unchanged=len(items) - len(fresh))
        report.updated = sum(1 for item in fresh if item.id in known)
        report.added = len(fresh) - report.updated
        # Only the popularity changed (a corrected row): the stored vector is still right.
        same_text = [
            item
            for item in fresh
            if _content_fingerprint(known.get(item.id)) == item.content_fingerprint()
        ]
        for start in range(0, len(same_text), _WRITE_BATCH):
            batch = same_text[start : start + _WRITE_BATCH]
            self._store.run(
                lambda c, b=batch: c.update(
                    ids=[item.id for item in b], metadatas=[_metadata(item) for item in b]
                )
            )
        keep_vector = {item.id for item in same_text}
        written = self._embed_and_write(
            [item for item in fresh if item.id not in keep_vector], progress
        )
        if fresh:
            self._store.announce([item.id for item in fresh], self._rows(fresh, written))
        report.seconds = time.perf_counter() - started
        return report

    def delete(self, ids: list[str]) -> list[str]:
        """Remove items: gone from search and from every process's catalog when it returns.

        Returns:
            The ids that were in the index and are now deleted (unknown ids are ignored).
        """
        found = list(self._stored(list(dict.fromkeys(ids))))
        for start in range(0, len(found), _WRITE_BATCH):
            self._store.run(lambda c, b=found[start : start + _WRITE_BATCH]: c.delete(ids=b))
        if found:
            self._store.announce(found, dict.fromkeys(found))  # rows of deleted ids: None
        return found

    def ids(self) -> list[str]:
        """Every indexed id, read from the collection (not the in-memory catalog)."""
        return list(self._store.get_all([])["ids"])

    def items(self) -> Mapping[str, Item]:
        """Every indexed item by id (kept in memory; after any process's write, the ids it
        touched are read again, or everything when that is not known). Read-only: a dict, or
        after changes a `retrieval.overlay.Overlay` over one."""
        version = self.version
        if self._items is None or self._items_version != version:
            touched = None if self._items is None else self.changed_since(self._items_version)
            if self._items is None or self.should_reread(touched, len(self._items)):
                items = self._read_items(self.ids())
            else:  # a new version: a turn may be reading the old catalog
                fresh = self._read_items(list(touched))
                # deleted ones go, changed ones keep their place; the large dict is not copied
                items = changed(self._items, fresh, touched - fresh.keys())
            self._items, self._items_version = items, version
        return self._items

    def _read_items(self, ids: list[str]) -> dict[str, Item]:
        items: dict[str, Item] = {}
        # In pages: one read of a million rows holds every row's metadata twice at once.
        for rows in self._pages(ids, ["metadatas"]):
            items.update(
                (id_, Item.model_validate_json(meta["item"]))
                for id_, meta in zip(rows["ids"], rows["metadatas"], strict=True)
            )
        return items

    def embeddings(self, ids: list[str]) -> np.ndarray:
        """Stored vectors of the given items, in the order asked, shape (len(ids), dim)."""
        import numpy as np

        by_id = self.stored_embeddings(ids)
        missing = [id_ for id_ in ids if id_ not in by_id]
        if missing:
            raise KeyError(f"items not in the index: {missing}")
        return np.asarray([by_id[id_] for id_ in ids], dtype="float32")

    def stored_embeddings(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Vectors of those of `ids` that are indexed, by id."""
        import numpy as np

        if not ids:  # Chroma reads every row for an empty list of ids
            return {}
        rows = self._store.get(ids, ["embeddings"])
        return {
            id_: np.asarray(v, dtype="float32")
            for id_, v in zip(rows["ids"], rows["embeddings"], strict=True)
        }

    def all_embeddings(self, ids: list[str] | None = None) -> tuple[list[str], np.ndarray]:
        """Stored vectors as one matrix: (the ids of its rows, shape (n, dim) float32).

        Args:
            ids: the row order wanted (default: every indexed id); ids not stored are left out.
        """
        import numpy as np

        ids = self.ids() if ids is None else ids
        row = {id_: n for n, id_ in enumerate(ids)}
        found = np.zeros(len(ids), dtype=bool)
        matrix: np.ndarray | None = None
        for rows in self._pages(ids, ["embeddings"]):
            vectors = np.asarray(rows["embeddings"], dtype="float32")
            if matrix is None:
                matrix = np.zeros((len(ids), vectors.shape[1]), dtype="float32")
            at = [row[id_] for id_ in rows["ids"]]
            matrix[at], found[at] = vectors, True
        if matrix is None:
            return [], np.zeros((0, 0), dtype="float32")
        if found.all():
            return list(ids), matrix
        return [id_ for id_, ok in zip(ids, found, strict=True) if ok], matrix[found]

    def _pages(self, ids: list[str], include: list[str]):
        """`get` of the given ids, a page at a time (Chroma's answer for each page)."""
        for start in range(0, len(ids), _READ_PAGE):
            page = ids[start : start + _READ_PAGE]
            yield self._store.get(page, include)

    def search(
        self, query: str | np.ndarray, k: int = 50, filter: ItemFilter | None = None
    ) -> list[Candidate]:
        """Nearest items to a text or a unit vector that pass the filter, best first."""
        vector = self.embedder.embed([query])[0] if isinstance(query, str) else query
        filter = filter or ItemFilter()
        # Text terms are checked after the search (the store filters metadata only): ask for more.
        extra = 3 * k if filter.exclude_text_terms else 0
        limited = not filter.limits.is_empty()
        # So are attribute limits, which may pass a few dozen items of thousands ("by Brandon
        # Sanderson"): those searches rank the whole catalog.
        limit = len(self) if limited else min(k + extra + len(filter.exclude_ids), len(self))
        if limit <= 0:
            return []
        result = self._store.run(
            lambda c: c.query(
                query_embeddings=[vector],
                n_results=limit,
                where=_where(filter),
                include=["distances"],
            )
        )
        ids, distances = result["ids"][0], result["distances"][0]
        items = self.items()
        if any(id_ not in items for id_ in ids):
            # written by another process that has not announced it yet: read everything again
            self._store.reopen()
            items = self.items()
        candidates = [
            Candidate(item=items[id_], score=1.0 - dist, retrieval_score=1.0 - dist)
            for id_, dist in zip(ids, distances, strict=True)
            if id_ not in filter.exclude_ids
            and id_ in items  # deleted in between: skipped
            and not filter.text_match(items[id_])
            and (not limited or filter.limits.accepts(items[id_]))
        ]
        return candidates[:k]

    def _rows(self, items: list[Item], vectors: dict[str, np.ndarray]) -> dict | None:
        """What a small write wrote, as rows for the change log: other processes update their
        copies from it without reopening Chroma (`retrieval.change_log`)."""
        if len(items) > MAX_ROWS:
            return None
        kept = self.stored_embeddings([item.id for item in items if item.id not in vectors])
        vectors = {**vectors, **kept}  # items whose text did not change kept their vector
        return {
            item.id: {"metadata": _metadata(item), "embedding": vectors[item.id].tolist()}
            for item in items
        }

    def _embed_and_write(self, items: list[Item], progress: bool) -> dict[str, np.ndarray]:
        """Embed and write the items; returns their vectors by id when they are few enough for
        the change log (a bulk write keeps none: a million vectors would double its memory)."""
        from tqdm import tqdm

        written: dict[str, np.ndarray] = {}
        keep = len(items) <= MAX_ROWS
        with tqdm(total=len(items), desc="indexing", unit="item", disable=not progress) as bar:
            for start in range(0, len(items), _WRITE_BATCH):
                batch = items[start : start + _WRITE_BATCH]
                vectors = self.embedder.embed([item.document() for item in batch])
                self._store.run(
                    lambda c, b=batch, v=vectors: c.upsert(
                        ids=[item.id for item in b],
                        embeddings=v,
                        metadatas=[_metadata(item) for item in b],
                    )
                )
                bar.update(len(batch))
                if keep:
                    written.update(zip([item.id for item in batch], vectors, strict=True))
        return written

    def _stored(self, ids: list[str]) -> dict[str, dict]:
        """Stored metadata of those of `ids` that are indexed."""
        found: dict[str, dict] = {}
        for start in range(0, len(ids), _WRITE_BATCH * 8):
            chunk = ids[start : start + _WRITE_BATCH * 8]
            rows = self._store.run(lambda c, b=chunk: c.get(ids=b, include=["metadatas"]))
            found.update(zip(rows["ids"], rows["metadatas"], strict=True))
        return found


def _fingerprint(meta: dict | None) -> str | None:
    return None if meta is None else meta["fingerprint"]


def _content_fingerprint(meta: dict | None) -> str | None:
    """What the stored vector was embedded from; rows written before popularity joined the
    fingerprint stored this digest as their fingerprint."""
    return None if meta is None else Item.model_validate_json(meta["item"]).content_fingerprint()


def _metadata(item: Item) -> dict:
    # Chroma merges a written row's metadata into the stored one; None removes a key, so a
    # corrected row without a year or genres loses the old ones. (Chroma refuses empty arrays; a
    # missing key never matches $contains.)
    return {
        "item": item.model_dump_json(),
        "fingerprint": item.fingerprint(),
        "title": item.title,
        "popularity": item.popularity,
        "year": item.year,
        "genres": item.genres or None,
    }


def _where(filter: ItemFilter) -> dict | None:
    clauses: list[dict] = []
    if filter.include_genres:
        anyof = [{"genres": {"$contains": g}} for g in filter.include_genres]
        clauses.append(anyof[0] if len(anyof) == 1 else {"$or": anyof})
    clauses += [{"genres": {"$not_contains": g}} for g in filter.exclude_genres]
    if filter.year_min is not None:
        clauses.append({"year": {"$gte": filter.year_min}})
    if filter.year_max is not None:
        clauses.append({"year": {"$lte": filter.year_max}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
