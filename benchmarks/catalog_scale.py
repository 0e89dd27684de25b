"""Recommendations-ready latency and process memory at 10k, 100k and 1M catalog items.

    .venv/bin/python benchmarks/catalog_scale.py --source /tmp/rdb --sizes 10000 100000 \\
        --work /tmp/catalogscale --out reports/catalog_scale.json
    # the same against a Chroma server (`chroma run --path DIR --port 8000`):
    .venv/bin/python benchmarks/catalog_scale.py --source /tmp/rdb --sizes 10000 \\
        --chroma-url http://127.0.0.1:8000 --out reports/catalog_scale_server.json

A synthetic catalog of N items is the source catalog (a ReDial DB: index and trained models)
followed by copies of its items with new ids and titles ("Alien: Take 3"), each with the stored
vector of the item it copies plus a little noise (written as is: nothing is embedded), and the
same for the dialogue encoder's item vectors. The trained models of the source DB are linked in.
Then an agent with `llm=none` answers scripted ReDial-like sessions; "ready" is the time from the
message to the turn with its items (`timings_ms["total"]` less any text generation), split into
understanding, retrieval and ranking. The first pass meets every text new (its query and dialogue
vectors are embedded in the turn); a second pass with new sessions finds them cached. Process
memory (RSS) is read after start-up and after the turns. A catalog folder is reused when it
already holds N items.

Then item cold start across processes (`change`): `convrec index` in another process adds a new
item, and the next turn here, which reads the change (by the ids it touched), is timed and must
recommend the item for its description; then the item is deleted the same way, and the next turn
must not show it (the catalog is back to N items).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

# Sessions of a few turns, as ReDial seekers write them: a title, a genre, a mood, a filter.
SESSIONS = [
    ["Hi! I loved Alien and Aliens", "something less violent", "more like the second one"],
    ["I'm in the mood for a comedy", "comedies from the 90s", "seen the first one"],
    ["The Notebook is one of my favorite movies", "something lighter", "not the third one"],
    ["I like horror movies like The Shining", "something less scary from the 80s"],
    [
        (
            "I've been watching a lot of science fiction lately, things like Blade Runner and "
            "The Matrix, and I'd love something thoughtful with a great story that I can watch "
            "with my partner, who doesn't love violence or gore"
        ),
        "more like the first one",
    ],
    ["can you suggest an animated movie for my 8 year old?", "I've seen them all"],
    ["Back to the Future and Jurassic Park are great", "anything from the 2000s?"],
    ["I want a romantic comedy", "something with Tom Hanks?", "no horror please"],
]
NOISE = 0.003  # per dimension: a copy's vector keeps a cosine of about 0.998 to its original
# The item another process indexes while the agent runs, and a request its text answers.
NEW_ITEM = {
    "id": "scale-new-1",
    "title": "Quantum Cats",
    "year": 2026,
    "genres": ["comedy", "sci-fi"],
    "text": "Two cats discover a portal to parallel universes full of yarn.",
}
NEW_ITEM_REQUEST = "a comedy about cats travelling through parallel universes"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb() -> dict[str, float]:
    """Resident memory now and at its peak, from /proc (Linux)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return {"rss_mb": round(fields["VmRSS"]), "peak_rss_mb": round(fields["VmHWM"])}


class CopiedVectors:
    """Stands in for the embedder while a catalog of copies is written: answers each batch
    with the vectors prepared for those items, in order, after checking the texts match."""

    def __init__(self, name: str) -> None:
        self.name = name  # the source index's embedder: recorded in the new collection
        self.expected: list[str] = []  # documents of the items of the current chunk, in order
        self.vectors = np.zeros((0, 0), dtype="float32")
        self.cursor = 0

    def load(self, documents: list[str], vectors: np.ndarray) -> None:
        self.expected, self.vectors, self.cursor = documents, vectors, 0

    def embed(self, texts: list[str], progress: bool = False) -> np.ndarray:
        end = self.cursor + len(texts)
        if texts != self.expected[self.cursor : end]:
            raise RuntimeError("items were written in another order than their vectors")
        out, self.cursor = self.vectors[self.cursor : end], end
        return out


def _copy(item, n: int):
    return item.model_copy(update={"id": f"{item.id}-c{n}", "title": f"{item.title}: Take {n}"})


def _noisy(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noisy = vectors + rng.normal(0.0, NOISE, vectors.shape).astype("float32")
    return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def _plan(source_items: list, size: int):
    """(source position, copy number) of each item beyond the originals, in write order."""
    extra = size - len(source_items)
    for j in range(max(extra, 0)):
        yield j % len(source_items), 1 + j // len(source_items)


def build_catalog(source: Path, db: Path, size: int, chroma_url: str | None, chunk: int) -> dict:
    """Write the synthetic catalog of `size` items into `db` (index and models)."""
    from agent.build import build_index
    from agent.settings import Settings
    from retrieval.dialogue_encoder import DIR_NAME, VECTORS_FILE
    from retrieval.index import ItemIndex

    settings = Settings(db=db, llm="none", chroma_url=chroma_url)
    src = build_index(Settings(db=source, llm="none"))
    originals = list(src.items().values())
    if size < len(originals):
        raise SystemExit(f"--sizes must be at least the source catalog ({len(originals)} items)")
    stored, src_vectors = src.all_embeddings([it.id for it in originals])
    if len(stored) != len(originals):
        raise SystemExit(f"{len(originals) - len(stored)} items of {source} have no vector")
    existing = build_index(settings)
    if len(existing) == size:
        return {"reused": True, "items": size}
    if chroma_url and len(existing):
        raise SystemExit(
            f"the server at {chroma_url} holds {len(existing)} items, not {size}: "
            "start one on an empty folder (chroma run --path NEW) for each size"
        )
    del existing
    shutil.rmtree(db, ignore_errors=True)
    _link_models(source / "models", db / "models", DIR_NAME, VECTORS_FILE)
    writer = CopiedVectors(src.embedder.name)
    index = ItemIndex(settings.index_dir, writer, chroma_url=chroma_url)
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    rows = [(i, 0) for i in range(len(originals))] + list(_plan(originals, size))
    dialogue = _DialogueVectors(source / "models" / DIR_NAME / VECTORS_FILE, originals)
    rates = []
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        items = [originals[i] if n == 0 else _copy(originals[i], n) for i, n in part]
        base = src_vectors[[i for i, _ in part]]
        copies = np.asarray([n > 0 for _, n in part])
        vecs = base.copy()
        if copies.any():
            vecs[copies] = _noisy(base[copies], rng)
        writer.load([it.document() for it in items], vecs)
        t0 = time.perf_counter()
        index.add(items, progress=False)
        rates.append(len(items) / (time.perf_counter() - t0))
        dialogue.add(items, [i for i, _ in part], copies, rng)
        print(f"  {start + len(part)}/{size} items, {rates[-1]:.0f} items/s", flush=True)
    dialogue.save(db / "models" / DIR_NAME / VECTORS_FILE)
    seconds = time.perf_counter() - started
    return {
        "reused": False,
        "items": len(index),
        "build_s": round(seconds, 1),
        "insert_items_per_s": round(statistics.median(rates)),
    }


class _DialogueVectors:
    """The dialogue encoder's item vectors of the copies: their originals' plus noise, keyed by
    the copies' fingerprints, so the encoder embeds nothing at start-up."""

    def __init__(self, path: Path, originals: list) -> None:
        data = np.load(path, allow_pickle=False)
        row = {i: n for n, i in enumerate(data["ids"].tolist())}
        self.source = data["vectors"][[row[it.id] for it in originals]]
        self.ids: list[str] = []
        self.fingerprints: list[str] = []
        self.vectors: list[np.ndarray] = []

    def add(self, items: list, positions: list[int], copies, rng) -> None:
        base = self.source[positions]
        vecs = base.copy()
        if copies.any():
            vecs[copies] = _noisy(base[copies], rng)
        self.ids += [it.id for it in items]
        self.fingerprints += [it.content_fingerprint() for it in items]
        self.vectors.append(vecs)

    def save(self, path: Path) -> None:
        np.savez(
            path,
            ids=np.array(self.ids),
            fingerprints=np.array(self.fingerprints),
            vectors=np.concatenate(self.vectors).astype("float32"),
        )


def _link_models(source: Path, target: Path, encoder_dir: str, vectors_file: str) -> None:
    """The trained models of the source DB, linked (read-only) but for the encoder's vectors."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name != encoder_dir:
            (target / entry.name).symlink_to(entry.resolve())
    encoder = target / encoder_dir
    encoder.mkdir()
    for entry in (source / encoder_dir).iterdir():
        if entry.name != vectors_file:
            (encoder / entry.name).symlink_to(entry.resolve())


def bench_turns(db: Path, chroma_url: str | None, passes: int, profile: Path | None) -> dict:
    from agent import Settings, build_agent

    started = time.perf_counter()
    agent = build_agent(Settings(db=db, llm="none", chroma_url=chroma_url))
    agent.warm_up()  # reads what the first turn would (arrays, orders, encoder vectors)
    start_s = time.perf_counter() - started
    memory = {"after_start": rss_mb()}
    context = agent.pipeline.context
    recall = {"index": first_pass_recall(context.memory.arrays().scan)}
    if context.dialogue_encoder is not None:
        recall["dialogue"] = first_pass_recall(context.dialogue_encoder.scan)
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
    report: dict = {"start_s": round(start_s, 1), "first_pass_recall": recall, "passes": []}
    for n in range(passes):
        parts: dict[str, list[float]] = {}
        if profiler is not None:
            profiler.enable()
        for s, messages in enumerate(SESSIONS):
            session = f"scale-{time.time_ns()}-{n}-{s}"
            for message in messages:
                turn = agent.reply(session, message)
                if not turn.items:
                    continue
                timings = dict(turn.timings_ms)
                timings["ready"] = timings["total"] - timings.get("generation", 0.0)
                for key in ("ready", "understand", "retrieval", "ranking"):
                    parts.setdefault(key, []).append(timings.get(key, 0.0))
        if profiler is not None:
            profiler.disable()
        report["passes"].append(
            {
                "texts": "new" if n == 0 else "cached",
                "turns": len(parts.get("ready", [])),
                "ms": {
                    k: {"p50": round(statistics.median(v), 1), "p95": round(percentile(v, 0.95), 1)}
                    for k, v in parts.items()
                },
            }
        )
    if profiler is not None:
        profiler.dump_stats(str(profile))
    memory["after_turns"] = rss_mb()
    report["change"] = measure_change(agent, db, chroma_url)
    memory["after_change"] = rss_mb()
    report["memory"] = memory
    return report


def measure_change(agent, db: Path, chroma_url: str | None) -> dict:
    """Another process adds an item, then deletes it: the next turn here after each (ms), and
    whether it shows the item."""
    import tempfile

    from retrieval.collection import CHECK_INTERVAL

    def turn() -> tuple[float, bool]:
        started = time.perf_counter()
        done = agent.reply(f"change-{time.time_ns()}", NEW_ITEM_REQUEST)
        shown = NEW_ITEM["id"] in [r.id for r in done.items]
        return round(1000 * (time.perf_counter() - started), 1), shown

    out: dict = {"steady_ms": turn()[0]}
    with tempfile.TemporaryDirectory() as scratch:
        catalog = Path(scratch) / "new.jsonl"
        catalog.write_text(json.dumps(NEW_ITEM) + "\n", encoding="utf-8")
        try:
            _index_elsewhere(db, chroma_url, "--catalog", str(catalog), "--quiet")
            time.sleep(CHECK_INTERVAL)
            out["after_add_ms"], out["new_item_shown"] = turn()
            out["next_ms"] = turn()[0]
        finally:
            _index_elsewhere(db, chroma_url, "--delete", NEW_ITEM["id"])
        time.sleep(CHECK_INTERVAL)
        out["after_delete_ms"], shown = turn()
        out["deleted_item_gone"] = not shown
    return out


def _index_elsewhere(db: Path, chroma_url: str | None, *args: str) -> None:
    """`convrec index` on the same catalog in another process, as an operator would run it."""
    import os
    import subprocess
    import sys

    env = {**os.environ, **({"CONVREC_CHROMA_URL": chroma_url} if chroma_url else {})}
    command = [sys.executable, "-m", "convrec", "index", *args, "--db", str(db)]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


def first_pass_recall(scan, k: int = 100, queries: int = 50) -> dict:
    """Share of the exact top k that the search returns, for queries that mix two random rows
    (large catalogs rank a sketch first: `retrieval.vector_scan`)."""
    rng = np.random.default_rng(1)
    found = []
    for _ in range(queries):
        a, b = rng.integers(0, len(scan), 2)
        vector = scan.matrix[a] + 0.7 * scan.matrix[b]
        vector /= np.linalg.norm(vector)
        exact = np.argpartition(-(scan.matrix @ vector), k)[:k]
        rows, _ = scan.score(vector).best(k)
        found.append(len(set(exact.tolist()) & set(rows.tolist())) / k)
    return {"k": k, "mean": round(float(np.mean(found)), 4), "min": round(float(min(found)), 4)}


def _measure_apart(db: Path, args: argparse.Namespace) -> dict:
    """The turns in a fresh process: its memory is the agent's alone, not the build's."""
    import subprocess
    import sys

    command = [sys.executable, sys.argv[0], "--source", str(args.source), "--measure", str(db)]
    command += ["--passes", str(args.passes)] + (["--profile"] if args.profile else [])
    command += ["--chroma-url", args.chroma_url] if args.chroma_url else []
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="a ReDial DB (index, models)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/catalogscale"))
    parser.add_argument("--chroma-url", help="a Chroma server instead of the embedded store")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=20_000, help="items written per add()")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the turns (.prof)")
    parser.add_argument("--out", type=Path, default=Path("reports/catalog_scale.json"))
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure is not None:
        profile = args.measure.with_suffix(".prof") if args.profile else None
        print(json.dumps(bench_turns(args.measure, args.chroma_url, args.passes, profile)))
        return
    if not (args.source / "index").is_dir():
        raise SystemExit(f"no index in {args.source}: pass a DB folder built by `convrec index`")

    store = "server" if args.chroma_url else "embedded"
    results = []
    for size in args.sizes:
        db = args.work / f"{store}-{size}"
        print(f"{size} items ({store}): building {db}", flush=True)
        entry = {
            "items": size,
            "store": store,
            "build": build_catalog(args.source, db, size, args.chroma_url, args.chunk),
        }
        if not args.build_only:
            entry["turns"] = _measure_apart(db, args)
        results.append(entry)
        print(json.dumps(entry, indent=2), flush=True)
    report = {
        "source": str(args.source),
        "results": results,
        "peak_rss_mb_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
