"""A persistent Chroma collection of catalog items, embedded locally.

Each item is stored with its embedding, its whole `Item` as JSON (so the index is the catalog at
run time), its genres as an array for `$contains` filters, and a fingerprint that makes
re-indexing incremental: only new or changed items are embedded again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.schema import Candidate, Item, ItemFilter

if TYPE_CHECKING:
    import numpy as np

    from retrieval.embedder import Embedder

COLLECTION = "items"
_WRITE_BATCH = 512  # Chroma caps a single write; 512 rows is well under it and keeps memory flat


@dataclass
class IndexReport:
    """What one `ItemIndex.add` call changed."""

    added: int = 0  # ids the index did not have
    updated: int = 0  # ids whose content changed and were re-embedded
    unchanged: int = 0  # ids skipped because their fingerprint matched
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged} "
            f"in {self.seconds:.1f}s"
        )


class ItemIndex:
    """Vector search over catalog items with metadata filters."""

    def __init__(self, path: Path, embedder: Embedder) -> None:
        import chromadb

        self.path = Path(path)
        self.embedder = embedder
        self.path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            str(self.path), settings=chromadb.Settings(anonymized_telemetry=False)
        )
        # No embedding function: Chroma's default one downloads a model; we always pass vectors.
        self._collection = client.get_or_create_collection(
            COLLECTION,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": embedder.name},
        )
        self._items: dict[str, Item] | None = None
        self.version = 0  # bumped whenever items are added or changed; caches key on it

    def __len__(self) -> int:
        return self._collection.count()

    def add(self, items: list[Item], progress: bool = True) -> IndexReport:
        """Add or update items; unchanged ones cost nothing. Searchable as soon as it returns."""
        import time

        from tqdm import tqdm

        started = time.perf_counter()
        known = self._fingerprints([item.id for item in items])
        fresh = [item for item in items if known.get(item.id) != item.fingerprint()]
        report = IndexReport(unchanged=len(items) - len(fresh))
        report.updated = sum(1 for item in fresh if item.id in known)
        report.added = len(fresh) - report.updated
        with tqdm(total=len(fresh), desc="indexing", unit="item", disable=not progress) as bar:
            for start in range(0, len(fresh), _WRITE_BATCH):
                batch = fresh[start : start + _WRITE_BATCH]
                vectors = self.embedder.embed([item.document() for item in batch])
                self._collection.upsert(
                    ids=[item.id for item in batch],
                    embeddings=vectors,
                    metadatas=[_metadata(item) for item in batch],
                )
                bar.update(len(batch))
        if fresh:
            self._items = None
            self.version += 1
        report.seconds = time.perf_counter() - started
        return report

    def items(self) -> dict[str, Item]:
        """Every indexed item by id (cached; the catalog is small next to memory)."""
        if self._items is None:
            rows = self._collection.get(include=["metadatas"])
            self._items = {
                id_: Item.model_validate_json(meta["item"])
                for id_, meta in zip(rows["ids"], rows["metadatas"], strict=True)
            }
        return self._items

    def embeddings(self, ids: list[str]) -> np.ndarray:
        """Stored vectors of the given items, in the order asked, shape (len(ids), dim)."""
        import numpy as np

        rows = self._collection.get(ids=ids, include=["embeddings"])
        by_id = dict(zip(rows["ids"], rows["embeddings"], strict=True))
        missing = [id_ for id_ in ids if id_ not in by_id]
        if missing:
            raise KeyError(f"items not in the index: {missing}")
        return np.asarray([by_id[id_] for id_ in ids], dtype="float32")

    def search(
        self, query: str | np.ndarray, k: int = 50, filter: ItemFilter | None = None
    ) -> list[Candidate]:
        """Nearest items to a text or a unit vector that pass the filter, best first."""
        vector = self.embedder.embed([query])[0] if isinstance(query, str) else query
        filter = filter or ItemFilter()
        limit = min(k + len(filter.exclude_ids), len(self))
        if limit <= 0:
            return []
        result = self._collection.query(
            query_embeddings=[vector], n_results=limit, where=_where(filter), include=["distances"]
        )
        items = self.items()
        candidates = [
            Candidate(item=items[id_], score=1.0 - dist, retrieval_score=1.0 - dist)
            for id_, dist in zip(result["ids"][0], result["distances"][0], strict=True)
            if id_ not in filter.exclude_ids
        ]
        return candidates[:k]

    def _fingerprints(self, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), _WRITE_BATCH * 8):
            rows = self._collection.get(ids=ids[start : start + _WRITE_BATCH * 8], include=["metadatas"])
            found.update({i: m["fingerprint"] for i, m in zip(rows["ids"], rows["metadatas"], strict=True)})
        return found


def _metadata(item: Item) -> dict:
    meta: dict = {
        "item": item.model_dump_json(),
        "fingerprint": item.fingerprint(),
        "title": item.title,
    }
    if item.popularity is not None:
        meta["popularity"] = item.popularity
    if item.year is not None:
        meta["year"] = item.year
    if item.genres:  # Chroma refuses empty arrays; a missing key never matches $contains
        meta["genres"] = item.genres
    return meta


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
