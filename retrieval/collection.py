"""The Chroma collection of one index folder, kept in step with what other processes write.

Chroma keeps a collection's vector index in the memory of each process and does not notice rows
another process adds or deletes: it then misses them, or fails a filtered query with "Error
finding id" (chromadb 1.5). A `convrec index` run beside a running app is such a process. Every
write here is therefore announced in a version file (`retrieval.version_file`), and a process
that sees another's announcement closes its Chroma client and opens a fresh one, which reads the
folder again. A read that fails in between (written, not yet announced) reopens and retries once.
Each write also logs the ids it touched (`retrieval.change_log`), and the collection's
`journal` says which ids each generation touched, so in-memory copies re-read only those. A
reopen costs Chroma's first read of the folder again (about 3 s at 1M items, which made the turn
after another process's write take 3.5 s): when every logged write carries its rows (small
writes do), those rows answer `get` for their ids and the reopen waits for the next call that
needs Chroma itself.

One `SharedCollection` per folder and process: Chroma shares one client state per folder inside a
process, so only closing every client of the folder refreshes it. A Chroma server
(`CONVREC_CHROMA_URL`) takes the folder's place through `retrieval.server_collection`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from retrieval.change_journal import ChangeJournal
from retrieval.change_log import ChangeLog, Changes, Row, union
from retrieval.version_file import VersionFile

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

COLLECTION = "items"
CHECK_INTERVAL = 0.1  # seconds: the version file is looked at about once per turn, not per call
MAX_PENDING = 10_000  # rows of other processes held instead of reopening Chroma
T = TypeVar("T")

_OPEN: dict[Path, SharedCollection] = {}
_OPEN_LOCK = threading.Lock()


def shared_collection(path: Path, embedder_name: str) -> SharedCollection:
    """The collection of the folder `path` for this process (opened on first use)."""
    key = Path(path).resolve()
    with _OPEN_LOCK:
        if key not in _OPEN:
            _OPEN[key] = SharedCollection(key, embedder_name)
        return _OPEN[key]


class SharedCollection:
    """A folder's Chroma collection with a `generation` that changes with every catalog change,
    made by this process or announced by another."""

    def __init__(self, path: Path, embedder_name: str) -> None:
        self.path = path
        self.embedder_name = embedder_name  # recorded in the collection's metadata on creation
        self.journal = ChangeJournal()  # the ids each generation touched
        self._lock = threading.RLock()  # one Chroma call at a time, none during a reopen
        # Read before Chroma opens: a write after this point is announced later, hence seen.
        self._writes = VersionFile(path)
        self._log = ChangeLog(path)
        self._checked = time.monotonic()  # when the version file was last looked at
        # rows other processes wrote since Chroma was opened (logged with their writes): the
        # client does not see them until it is reopened, which is put off until needed
        self._pending: dict[str, Row] = {}
        self._client = None
        self._collection = self._open()

    @property
    def generation(self) -> int:
        return self.journal.generation

    def check(self) -> int:
        """The current generation. Writes of this process count at once; another process's are
        seen through one `stat` of the version file, done at most every CHECK_INTERVAL (then the
        rows logged with them are held, or Chroma is reopened when some are not logged)."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= CHECK_INTERVAL:
                self._checked = now
                if self._writes.changed():
                    # the log first: every write it lists is then visible to the new client
                    changes = self._log.read_new()
                    self._hold_or_reopen(changes)
                    self.journal.record(union(changes))
            return self.generation

    def run(self, call: Callable[[Collection], T]) -> T:
        """`call(collection)`, retried once on a fresh client if Chroma fails on rows another
        process wrote and has not announced yet."""
        from chromadb.errors import InternalError

        with self._lock:
            self.check()
            if self._pending:  # Chroma itself is asked: it must see the other processes' rows
                self._reopen()
            try:
                return call(self._collection)
            except InternalError:
                self.reopen()
                return call(self._collection)

    def get(self, ids: list[str], include: list[str]) -> dict:
        """Chroma's `get` of these ids, answered from the rows other processes logged when they
        cover every id (no reopen)."""
        with self._lock:
            self.check()
            if not self._pending or any(id_ not in self._pending for id_ in ids):
                return self.run(lambda c: c.get(ids=ids, include=include))
            rows = [(id_, self._pending[id_]) for id_ in ids if self._pending[id_] is not None]
            out: dict = {"ids": [id_ for id_, _ in rows]}
            if "metadatas" in include:
                out["metadatas"] = [row["metadata"] for _, row in rows]
            if "embeddings" in include:
                out["embeddings"] = [row["embedding"] for _, row in rows]
            return out

    def get_all(self, include: list[str]) -> dict:
        """Every row: `ids` and the `include` fields (one read: the folder has no size cap)."""
        return self.run(lambda c: c.get(include=include))

    def announce(self, ids: list[str], rows: dict[str, Row] | None = None) -> None:
        """Record a write of this process that touched `ids` (call after it), for this process
        and the others; `rows`: what it wrote (see `retrieval.change_log`)."""
        with self._lock:
            self._log.append(ids, rows)
            changes = self._log.read_new()  # this write's line, and others' not yet announced
            self._writes.announce()
            if changes is None or len(changes) > 1:
                self._hold_or_reopen(changes)  # another process wrote too
            touched = union(changes)
            self.journal.record(None if touched is None else touched | set(ids))

    def release(self) -> None:
        """Close the client, whose memory holds the folder's rows after a full read; a fresh one
        loads them again on its first call (nothing changed: the generation stays)."""
        with self._lock:
            self._reopen()

    def reopen(self) -> None:
        """Read the folder again, not knowing what changed (every copy of the items is stale)."""
        with self._lock:
            self._reopen()
            self.journal.record(None)

    def _hold_or_reopen(self, changes: Changes) -> None:
        """Keep the rows other processes logged, or reopen Chroma when some are missing."""
        if changes is None or any(change.rows is None for change in changes):
            self._reopen()
            return
        for change in changes:
            self._pending.update(change.rows)
        if len(self._pending) > MAX_PENDING:
            self._reopen()

    def _reopen(self) -> None:
        self._client.close()
        self._collection = self._open()
        self._pending = {}

    def _open(self) -> Collection:
        import chromadb

        self._client = chromadb.PersistentClient(
            str(self.path), settings=chromadb.Settings(anonymized_telemetry=False)
        )
        # No embedding function: Chroma's default one downloads a model; we always pass vectors.
        return self._client.get_or_create_collection(
            COLLECTION,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": self.embedder_name},
        )
