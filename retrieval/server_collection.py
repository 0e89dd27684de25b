"""The catalog's Chroma collection on a Chroma server (`chroma run`), shared by every worker.

With `CONVREC_CHROMA_URL` set, workers on any machine read and write one collection over HTTP
instead of a folder; items are still embedded by each worker, with its local model. The server
always answers with the latest rows, but each worker keeps the items and their vectors in memory
and must learn when they go stale, with no file to watch across machines: a writer stores a fresh
token in the collection's metadata after each write, and a worker compares it with the one it saw
last, at most every CHECK_INTERVAL (one small request). Before the token, the writer adds a row
to a second collection, LOG_COLLECTION, with the ids the write touched; a worker that sees a new
token reads the rows added since and re-reads only those items (`retrieval.change_journal`).

Chroma's HTTP client waits forever by default. Requests here time out, and a refused, timed-out or
broken request raises `ChromaUnavailable`, which names the server (the service answers 503); the
next call tries the server again, so a restarted server is used without restarting the worker.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from retrieval.change_journal import ChangeJournal
from retrieval.change_log import MAX_IDS
from retrieval.collection import CHECK_INTERVAL, COLLECTION

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

TIMEOUT = 10.0  # seconds for one request: reads take milliseconds, a 512-row write under a second
CONNECT_TIMEOUT = 3.0
# seconds for the first count: a freshly started server reads a large collection from disk on the
# first request that touches it (the count took more than TIMEOUT at 1M items here)
LOAD_TIMEOUT = 300.0
PAGE_SIZE = 2000  # rows per read of the whole catalog (a page of vectors is about 8 MB of JSON)
# Ids alone are read in far larger pages: the server skips `offset` rows for every page, so pages
# of 2000 cost the square of the catalog (283 s for the ids of 1M items; one read: 2.2 s, 30 MB).
IDS_PAGE = 1_000_000
VERSION_KEY = "convrec_version"  # collection metadata: a fresh token after every write
LOG_COLLECTION = "items_changes"  # a row per write: the ids it touched and when
LOG_SKEW = 60.0  # seconds: workers' clocks may differ this much (log rows are read by time)
LOG_KEEP = 3600.0  # seconds a log row is kept; a worker away longer reads everything again
T = TypeVar("T")
log = logging.getLogger(__name__)

_OPEN: dict[str, ServerCollection] = {}
_OPEN_LOCK = threading.Lock()


class ChromaUnavailable(ConnectionError):
    """The Chroma server refused the connection, did not answer in time, or dropped it."""

    def __init__(self, url: str, reason: object) -> None:
        super().__init__(
            f"the Chroma server {url} is unavailable ({reason}); start it with "
            "`chroma run --path DIR --host HOST --port PORT`, or unset CONVREC_CHROMA_URL to use "
            "the index folder"
        )
        self.url = url


def server_collection(url: str, embedder_name: str, timeout: float = TIMEOUT) -> ServerCollection:
    """The collection on the server at `url` for this process (connected on first use; later
    calls share it, so a write of this process is seen by all its readers at once).

    Raises:
        ChromaUnavailable: the server does not answer.
        ValueError: `url` is not http(s)://host:port, or the server's vectors come from
            another embedding model.
    """
    key = url.rstrip("/")
    with _OPEN_LOCK:
        if key not in _OPEN:
            _OPEN[key] = ServerCollection(key, embedder_name, timeout)
        return _OPEN[key]


class ServerCollection:
    """The server's collection with a `generation` that changes with every catalog change, made
    by this process or by any other worker. Same calls as `SharedCollection`."""

    def __init__(self, url: str, embedder_name: str, timeout: float = TIMEOUT) -> None:
        self.url = url
        self.embedder_name = embedder_name  # recorded in the collection's metadata on creation
        self.journal = ChangeJournal()  # the ids each generation touched
        self._lock = threading.Lock()  # guards the token and the generation, not the requests
        self._asking = threading.Lock()  # held by the one thread asking the server for changes
        self._client = _connect(url, timeout)
        self._collection = self._guarded(self._open)
        self._wait_until_loaded(timeout)
        self._token = _token(self._collection)
        self._checked = time.monotonic()
        self._logged: dict[str, float] = {}  # log rows already applied -> their time
        self._log_from = time.time()  # log rows from (about) here on are new to this worker
        stored = (self._collection.metadata or {}).get("embedder")
        if stored and stored != embedder_name:
            raise ValueError(
                f"the collection {COLLECTION!r} on {url} holds vectors of {stored}, this worker "
                f"embeds with {embedder_name}: set CONVREC_EMBEDDING_MODEL to the same model"
            )

    @property
    def generation(self) -> int:
        return self.journal.generation

    def check(self) -> int:
        """The current generation. Writes of this process count at once; another worker's are
        seen through one request for the collection, done at most every CHECK_INTERVAL.

        While the server does not answer, the last generation is returned (and the server asked
        again after CHECK_INTERVAL): turns go on from the in-memory catalog, and only what needs
        the server itself (a search through Chroma, a write) fails, with `ChromaUnavailable`.
        """
        # One thread asks; the others go on with what was seen last instead of queueing behind
        # a request that may take TIMEOUT (their own requests time out side by side).
        if time.monotonic() - self._checked < CHECK_INTERVAL or not self._asking.acquire(False):
            return self.generation
        try:
            collection = self._guarded(self._open)
            token = _token(collection)
            # A new id: the server lost its data and the collection was made again.
            lost = collection.id != self._collection.id
            touched = None
            if token != self._token and not lost:
                touched = self._read_log()
        except ChromaUnavailable as exc:
            self._checked = time.monotonic()
            log.warning("catalog changes not seen while the server is away: %s", exc)
            return self.generation
        finally:
            self._asking.release()
        with self._lock:
            self._checked = time.monotonic()
            if token != self._token or lost:
                self._collection, self._token = collection, token
                self.journal.record(touched)
            return self.generation

    def run(self, call: Callable[[Collection], T]) -> T:
        """`call(collection)`, with a failed request raised as `ChromaUnavailable`."""
        self.check()
        collection = self._collection
        return self._guarded(lambda: call(collection))

    def get(self, ids: list[str], include: list[str]) -> dict:
        """Chroma's `get` of these ids (the server always answers with the latest rows)."""
        return self.run(lambda c: c.get(ids=ids, include=include))

    def get_all(self, include: list[str]) -> dict:
        """Every row: `ids` and the `include` fields, read in pages of PAGE_SIZE (IDS_PAGE for
        ids alone). Read again (twice at most) when a write was announced meanwhile, which may
        shift the pages."""
        for _ in range(3):
            self.check()
            before = self._token
            rows = self._pages(include)
            if self._fetch_token() == before:
                break
        return rows

    def announce(self, ids: list[str], rows: dict[str, dict | None] | None = None) -> None:
        """Record a write of this process that touched `ids` (call after it), for this process
        and every worker: a log row first, then a fresh token. (`rows` are for the folder's
        log: a worker asks the server for the rows themselves.)"""
        token = uuid.uuid4().hex
        collection = self._collection
        self._guarded(lambda: self._write_log(token, ids))
        # `modify` replaces the whole metadata: keep the embedder's name.
        metadata = {**(collection.metadata or {}), VERSION_KEY: token}
        self._guarded(lambda: collection.modify(metadata=metadata))
        with self._lock:
            self._token = token
            self.journal.record(set(ids))

    def release(self) -> None:
        """Nothing to drop: the server holds the rows, not this process."""

    def reopen(self) -> None:
        """A new generation: rows were seen that no announcement covered yet (written by another
        worker just now), so every in-memory copy of the items is read again."""
        self.journal.record(None)

    def _wait_until_loaded(self, timeout: float) -> None:
        """One count with LOAD_TIMEOUT: the server loads the collection now, not during the
        first read, whose short timeout would report a busy server as a server that is down."""
        import httpx

        session = _session(self._client)
        session.timeout = httpx.Timeout(LOAD_TIMEOUT, connect=CONNECT_TIMEOUT)
        try:
            self._guarded(self._collection.count)
        finally:
            session.timeout = httpx.Timeout(timeout, connect=CONNECT_TIMEOUT)

    def _write_log(self, entry: str, ids: list[str]) -> None:
        now = time.time()
        log_rows = self._client.get_or_create_collection(LOG_COLLECTION, embedding_function=None)
        # Chroma keeps vectors: a log row has a one-number placeholder.
        log_rows.add(
            ids=[entry],
            embeddings=[[0.0]],
            metadatas=[{"ids": json.dumps(ids) if len(ids) <= MAX_IDS else "*", "at": now}],
        )
        log_rows.delete(where={"at": {"$lt": now - LOG_KEEP}})
        self._logged[entry] = now

    def _read_log(self) -> set[str] | None:
        """The ids the log rows added since the last read touched; None when one is unknown or
        none is found (the writer's row is always added before its token)."""
        log_rows = self._client.get_or_create_collection(LOG_COLLECTION, embedding_function=None)
        rows = log_rows.get(
            where={"at": {"$gte": self._log_from - LOG_SKEW}}, include=["metadatas"]
        )
        touched: set[str] | None = set()
        fresh = 0
        for entry, meta in zip(rows["ids"], rows["metadatas"], strict=True):
            if entry in self._logged:
                continue
            fresh += 1
            self._logged[entry] = meta["at"]
            self._log_from = max(self._log_from, meta["at"])
            if touched is not None:
                touched = None if meta["ids"] == "*" else touched | set(json.loads(meta["ids"]))
        horizon = self._log_from - 2 * LOG_SKEW
        self._logged = {e: at for e, at in self._logged.items() if at >= horizon}
        return touched if fresh else None

    def _pages(self, include: list[str]) -> dict:
        collection = self._collection
        size = PAGE_SIZE if include else IDS_PAGE
        pages: list[dict] = []
        while not pages or len(pages[-1]["ids"]) == size:
            offset = len(pages) * size
            pages.append(
                self._guarded(
                    lambda o=offset: collection.get(include=include, limit=size, offset=o)
                )
            )
        return {field: _joined([page[field] for page in pages]) for field in ["ids", *include]}

    def _fetch_token(self) -> str | None:
        return _token(self._guarded(self._open))

    def _open(self) -> Collection:
        # No embedding function: Chroma's default one downloads a model; we always pass vectors.
        return self._client.get_or_create_collection(
            COLLECTION,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": self.embedder_name},
        )

    def _guarded(self, call: Callable[[], T]) -> T:
        import httpx

        try:
            return call()
        except httpx.TransportError as exc:  # refused, timed out, dropped mid-answer
            raise ChromaUnavailable(self.url, _reason(exc)) from exc


def _connect(url: str, timeout: float) -> ClientAPI:
    import chromadb
    import httpx

    host, port, ssl = _address(url)
    try:
        # Chroma's client asks the server for its tenant before any timeout can be set: a short
        # request first, so that a server that hangs fails here instead of hanging the worker.
        httpx.get(f"{url}/api/v2/heartbeat", timeout=CONNECT_TIMEOUT).raise_for_status()
        client = chromadb.HttpClient(
            host=host, port=port, ssl=ssl, settings=chromadb.Settings(anonymized_telemetry=False)
        )
    except (httpx.HTTPError, ValueError) as exc:  # Chroma reports a refused connection as such
        raise ChromaUnavailable(url, _reason(exc)) from exc
    _session(client).timeout = httpx.Timeout(timeout, connect=CONNECT_TIMEOUT)
    return client


def _session(client: ClientAPI):
    """The httpx session of a Chroma client, whose timeout is set here.

    Chroma builds it with timeout=None and has no setting for it (chromadb 1.5;
    chroma-core/chroma#5805); the session is shared by this process's clients of the server.
    """
    import chromadb

    try:
        return client._server._session
    except AttributeError as exc:
        raise RuntimeError(
            f"chromadb {chromadb.__version__} changed its HTTP client: convrec cannot set request "
            "timeouts on it (retrieval/server_collection.py)"
        ) from exc


def _address(url: str) -> tuple[str, int, bool]:
    """(host, port, https) of `http(s)://host[:port]`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"a Chroma server URL is http(s)://host:port, not {url!r}")
    https = parts.scheme == "https"
    return parts.hostname, parts.port or (443 if https else 8000), https


def _token(collection: Collection) -> str | None:
    return (collection.metadata or {}).get(VERSION_KEY)


def _joined(pages: list) -> list:
    """One field of several pages, as one list (vectors: one array, shape (rows, dim))."""
    import numpy as np

    # Chroma answers vectors as float64; they were float32 when written (half the memory).
    arrays = [
        page.astype("float32") for page in pages if isinstance(page, np.ndarray) and len(page)
    ]
    if arrays:
        return np.concatenate(arrays)
    return [row for page in pages for row in page]


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
