"""The index over a real Chroma server (`chroma run` on a free loopback port): the same search,
another worker's writes seen on the next call, and a clear error while the server is down."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval import server_collection as server_module
from retrieval.index import ItemIndex
from retrieval.memory import ItemMemory
from retrieval.schema import Item, ItemFilter
from retrieval.server_collection import ChromaUnavailable, server_collection

CHROMA = Path(sys.executable).parent / "chroma"
ITEMS = [
    Item(id="m1", title="Star Haul", year=1979, genres=["sci-fi", "horror"],
         text="A crew hauling ore across space is hunted by a creature aboard their ship."),
    Item(id="m2", title="Laugh Track", year=1995, genres=["comedy"],
         text="A failed stand-up comedian runs a karaoke bar with his grandmother."),
    Item(id="m3", title="Deep Water", year=2003, genres=["drama", "romance"],
         text="Two swimmers fall in love while training for the Olympics."),
    Item(id="m4", title="Orbit Kids", year=2012, genres=["sci-fi", "family", "comedy"],
         text="Children stow away on a space station and befriend a clumsy robot."),
    Item(id="m5", title="Night Shift", year=1987, genres=["horror"],
         text="A hospital night nurse finds that the patients never leave."),
    Item(id="m6", title="Dust Road", year=1968, genres=["western"],
         text="A bounty hunter rides across the desert to settle an old debt."),
]  # fmt: skip


class ChromaServer:
    """`chroma run` on a loopback port and a folder of its own, stopped and started at will."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1"]
            + ["--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"`chroma run` did not listen on port {self.port} within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    if not CHROMA.is_file():
        pytest.skip(f"no `chroma` executable beside {sys.executable} (pip install chromadb)")
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def served(chroma, tmp_path, embedder):
    """An index on the server holding exactly ITEMS."""
    index = ItemIndex(tmp_path / "unused", embedder, chroma_url=chroma.url)
    index.delete(index.ids())
    index.add(ITEMS, progress=False)
    return index


def test_search_and_filters_work_through_the_server(served, embedder, chroma):
    assert not served.path.exists()  # nothing is written beside the worker
    assert len(served) == len(ITEMS) and set(served.items()) == {it.id for it in ITEMS}

    hits = served.search("a monster stalks the crew of a spaceship", k=3)
    assert hits[0].item.id == "m1"
    comedies = served.search("space robots", k=5, filter=ItemFilter(include_genres=["comedy"]))
    assert [h.item.id for h in comedies][:1] == ["m4"]
    assert {h.item.id for h in comedies} == {"m2", "m4"}
    old = served.search("space", k=5, filter=ItemFilter(year_max=1980, exclude_genres=["horror"]))
    assert [h.item.id for h in old] == ["m6"]

    stored = served.embeddings(["m3"])[0]
    assert abs(float(stored @ embedder.embed([ITEMS[2].document()])[0]) - 1.0) < 1e-4

    # A second worker of the same process shares the connection and sees the same catalog.
    other = ItemIndex(Path("elsewhere"), embedder, chroma_url=chroma.url + "/")
    assert other.search("karaoke comedian", k=1)[0].item.id == "m2"


def test_the_whole_catalog_is_read_in_pages(served, monkeypatch):
    monkeypatch.setattr(server_module, "PAGE_SIZE", 4)  # 6 items: two pages
    monkeypatch.setattr(server_module, "IDS_PAGE", 5)
    assert sorted(served.ids()) == sorted(it.id for it in ITEMS)
    memory = ItemMemory(served)
    assert set(memory.items()) == {it.id for it in ITEMS}
    vectors = memory.vectors(["m6", "m1"])
    assert vectors.shape == (2, 384)
    assert abs(float(vectors[0] @ served.embeddings(["m6"])[0]) - 1.0) < 1e-5


def test_another_worker_indexing_is_seen_on_the_next_call(served, chroma, tmp_path, new_item):
    memory = ItemMemory(served)
    assert new_item.id not in memory.items()
    memory.vectors(["m1"])  # the vectors are read and kept
    before = served.version
    catalog = tmp_path / "new.jsonl"
    catalog.write_text(json.dumps(new_item.model_dump(mode="json")) + "\n", encoding="utf-8")

    _convrec(chroma.url, tmp_path, "index", "--catalog", str(catalog), "--quiet")

    time.sleep(server_module.CHECK_INTERVAL)
    # Seen through the token in the server, before any search could stumble on the new row,
    # and read by its id (the server's change log), not by reading the catalog again.
    assert served.version != before and new_item.id in memory.items()
    assert served.changed_since(before) == {new_item.id}
    hits = served.search("cats travelling through parallel universes", k=3)
    assert hits[0].item.id == new_item.id
    assert (
        abs(float(memory.vectors([new_item.id])[0] @ served.embeddings([new_item.id])[0]) - 1.0)
        < 1e-5
    )
    comedies = served.search("cats", k=5, filter=ItemFilter(include_genres=["comedy"]))
    assert new_item.id in [h.item.id for h in comedies]

    before = served.version
    _convrec(chroma.url, tmp_path, "index", "--delete", new_item.id)

    time.sleep(server_module.CHECK_INTERVAL)
    assert new_item.id not in memory.items() and served.changed_since(before) == {new_item.id}
    assert new_item.id not in [h.item.id for h in served.search("cats in parallel universes", k=6)]
    assert not memory.vectors([new_item.id]).any()  # a deleted item says nothing about taste


def test_an_unreachable_server_is_named(embedder, tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(ChromaUnavailable, match=url) as caught:
        ItemIndex(tmp_path, embedder, chroma_url=url)
    assert isinstance(caught.value, ConnectionError) and "chroma run" in str(caught.value)
    with pytest.raises(ValueError, match="http\\(s\\)://host:port"):
        ItemIndex(tmp_path, embedder, chroma_url="127.0.0.1:8000")


def test_a_server_outage_fails_fast_and_is_over_when_the_server_is_back(served, chroma):
    vector = served.embeddings(["m2"])[0]
    before = served.version
    chroma.stop()
    try:
        time.sleep(server_module.CHECK_INTERVAL)
        started = time.monotonic()
        with pytest.raises(ChromaUnavailable, match=chroma.url):
            served.search(vector, k=3)
        # The change check does not fail: turns go on from the in-memory catalog meanwhile.
        assert served.version == before
        assert time.monotonic() - started < server_module.CONNECT_TIMEOUT
    finally:
        chroma.start()
    assert served.search(vector, k=1)[0].item.id == "m2"  # same process, same objects


def test_a_server_that_stops_answering_times_out(tmp_path):
    server = ChromaServer(tmp_path / "frozen")
    server.start()
    try:
        store = server_collection(server.url, "test-embedder", timeout=1.0)
        assert store.run(lambda c: c.count()) == 0
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            with pytest.raises(ChromaUnavailable, match="Timeout"):
                store.run(lambda c: c.count())
            assert time.monotonic() - started < 3
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
        assert store.run(lambda c: c.count()) == 0
    finally:
        server.stop()


def _convrec(url: str, tmp_path: Path, *args: str) -> None:
    """A second process, as another worker or an operator would run it."""
    env = {**os.environ, "CONVREC_CHROMA_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "convrec", *args, "--db", str(tmp_path / "other-db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "other-db" / "index").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
