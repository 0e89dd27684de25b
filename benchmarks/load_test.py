"""Load test of `convrec serve`: N concurrent simulated users over HTTP, each a scripted
multi-turn conversation on the ReDial catalog (messages and button presses).

    .venv/bin/python benchmarks/load_test.py --db /tmp/rdb --users 1 5 10 20 50 \
        --workers 1 2 --out reports/load_test.json
    CONVREC_SESSIONS=postgresql://... CONVREC_CHROMA_URL=http://127.0.0.1:8000 \
        .venv/bin/python benchmarks/load_test.py --db /tmp/rdb --label pg+chroma-server ...

Each configuration starts its own server (a copy of --db's sessions is never touched: the
sessions go to a scratch folder, or to CONVREC_SESSIONS), waits for /readyz, runs every user
count in turn, then stops it. Per user count: turns/s, latency p50/p95/p99, errors by status,
and the session check: every session's stored history must be exactly what its user sent
(no lost, duplicated or mixed-up turns). The saturation point is the user count past which
turns/s grows by less than 10%.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (kind, text): a message, or a press on a position of the latest picks ("press:seen:1").
CONVERSATIONS = [
    ["I loved Alien and Aliens", "something less violent", "press:seen:1", "who is in it?"],
    ["I really liked The Notebook", "more like the second one", "press:like:2", "thanks, bye"],
    [
        "I want a comedy from the 90s",
        "press:dislike:1",
        "not the third one",
        "any with Jim Carrey?",
    ],
    ["The Dark Knight was amazing", "seen the first one", "something darker", "press:like:3"],
    ["something with time travel", "press:seen:2", "more like the first one", "is it scary?"],
    ["I like romantic comedies", "something newer", "press:dislike:2", "perfect, thanks"],
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServices:
    """scripts/local_services.sh on free ports: a PostgreSQL cluster and a Chroma server whose
    data starts as a copy of an index folder (the embedded store's format is the server's)."""

    SCRIPT = Path("scripts/local_services.sh")  # benchmarks run from the repository root

    def __init__(self, scratch: Path, index: Path) -> None:
        if not self.SCRIPT.is_file():
            raise FileNotFoundError(f"no {self.SCRIPT}: run the benchmark from the repository root")
        self.scratch = scratch
        # PostgreSQL runs as its own user (as root): it must be able to reach its folder.
        scratch.parent.chmod(0o755)
        self.env = {
            **os.environ,
            "CONVREC_PG_PORT": str(_free_port()),
            "CONVREC_CHROMA_PORT": str(_free_port()),
        }
        shutil.copytree(index, scratch / "chroma", dirs_exist_ok=True)

    def __call__(self, action: str) -> dict[str, str]:
        """`start`, `stop`, `start-chroma`, `stop-postgres`, ...; returns the CONVREC_* variables
        a start prints."""
        done = subprocess.run(
            ["bash", str(self.SCRIPT), action, str(self.scratch)],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"local_services.sh {action} failed: {done.stderr.strip()}")
        out = done.stdout
        pairs = (line.removeprefix("export ").split("=", 1) for line in out.splitlines())
        return {key: value for key, value in pairs if key.startswith("CONVREC_")}


class Server:
    """`convrec serve` in a subprocess over a scratch copy of the data folder's sessions."""

    def __init__(self, db: Path, workers: int, llm: str, scratch: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = scratch / f"db-{workers}-{llm}"
        self.db.mkdir(parents=True)
        for part in ("index", "models"):  # links: the index and models are only read
            if (db / part).exists():
                (self.db / part).symlink_to((db / part).resolve())
        command = [sys.executable, "-m", "convrec", "serve", "--db", str(self.db)]
        command += ["--port", str(self.port), "--workers", str(workers), "--llm", llm]
        self.log = open(self.db / "server.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 600) -> float:
        import httpx

        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: see {self.db / 'server.log'}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"server not ready after {timeout}s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def request_for(step: str, shown: list[str]) -> tuple[str, dict, tuple[str, str]] | None:
    """A script step as (endpoint, JSON body, what the session's history must then hold);
    None for a press on a position the latest picks do not have."""
    if not step.startswith("press:"):
        return "messages", {"text": step}, ("message", step)
    _, reaction, position = step.split(":")
    if len(shown) < int(position):
        return None
    item_id = shown[int(position) - 1]
    return "feedback", {"item_id": item_id, "reaction": reaction}, ("feedback", item_id)


async def _user(client, url: str, session: str, script: list[str], out: dict) -> None:
    """One user's conversation; records each turn's latency and status, and what was sent."""
    shown: list[str] = []
    sent = []
    for step in script:
        request = request_for(step, shown)
        if request is None:
            continue
        path, body, expected = request
        started = time.perf_counter()
        try:
            r = await client.post(f"{url}/v1/sessions/{session}/{path}", json=body)
            status = r.status_code
        except Exception as exc:  # noqa: BLE001 (a refused connection is a result here)
            status = type(exc).__name__
        out["latencies"].append(time.perf_counter() - started)
        out["status"][str(status)] = out["status"].get(str(status), 0) + 1
        if status == 200:
            sent.append(expected)
            turn = r.json()
            if turn["items"]:
                shown = [item["id"] for item in turn["items"]]
    out["sent"][session] = sent


async def _round(url: str, users: int, tag: str) -> dict:
    import httpx

    out: dict = {"latencies": [], "status": {}, "sent": {}}
    limits = httpx.Limits(max_connections=users + 5)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _user(client, url, f"{tag}-u{u}", CONVERSATIONS[u % len(CONVERSATIONS)], out)
                for u in range(users)
            )
        )
        seconds = time.perf_counter() - started
        lost = await _check_sessions(client, url, out["sent"])
    lat = sorted(out["latencies"])
    ok = out["status"].get("200", 0)
    return {
        "users": users,
        "turns": len(lat),
        "ok": ok,
        "status": out["status"],
        "seconds": round(seconds, 2),
        "turns_per_s": round(ok / seconds, 3),
        "p50_s": round(_pct(lat, 50), 3),
        "p95_s": round(_pct(lat, 95), 3),
        "p99_s": round(_pct(lat, 99), 3),
        "sessions_wrong": lost,
    }


async def _check_sessions(client, url: str, sent: dict[str, list]) -> list[str]:
    """Sessions whose stored history is not exactly the turns their user got a 200 for."""
    wrong = []
    for session, expected in sent.items():
        r = await client.get(f"{url}/v1/sessions/{session}")
        history = r.json()["history"] if r.status_code == 200 else []
        stored = [
            (x["event"]["kind"], x["event"]["text"] or x["event"]["item_id"]) for x in history
        ]
        if stored != expected:
            wrong.append(session)
    return wrong


def _pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _saturation(rounds: list[dict]) -> int | None:
    """The user count past which throughput grows by less than 10%."""
    for before, after in itertools.pairwise(rounds):
        if after["turns_per_s"] < before["turns_per_s"] * 1.10:
            return before["users"]
    return None


def _cold_vs_warm(server: Server, llm: str) -> dict:
    """The same first turn through `convrec ask` (loads every model) and the warm server."""
    import httpx

    message = "I loved Alien and Aliens, something like them"
    command = [sys.executable, "-m", "convrec", "ask", "--db", str(server.db), "--llm", llm]
    started = time.perf_counter()
    subprocess.run(
        [*command, "--session", "cold", "--message", message, "--json"],
        check=True,
        capture_output=True,
    )
    cold = time.perf_counter() - started
    started = time.perf_counter()
    r = httpx.post(f"{server.url}/v1/sessions/warm/messages", json={"text": message}, timeout=300)
    r.raise_for_status()
    return {"cold_ask": round(cold, 2), "warm_http_turn": round(time.perf_counter() - started, 3)}


def _label(services: str) -> str:
    sessions = "postgres" if services in ("postgres", "both") else "sqlite"
    index = "chroma-server" if services in ("chroma", "both") else "embedded"
    return f"{sessions}+{index}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", type=Path, required=True, help="data folder with index and models")
    p.add_argument("--users", type=int, nargs="+", default=[1, 5, 10, 20, 50])
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--llm", default="none", choices=["none", "transformers", "openai"])
    p.add_argument(
        "--services",
        choices=["none", "postgres", "chroma", "both"],
        default="none",
        help="start a local PostgreSQL (sessions) and/or Chroma server (index) for the workers",
    )
    p.add_argument("--label", help="names this configuration (default: from --services)")
    p.add_argument(
        "--cold-ask",
        action="store_true",
        help="also time one `convrec ask` (a new process) against one turn of the warm server",
    )
    p.add_argument("--out", type=Path, default=Path("reports/load_test.json"))
    args = p.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="convrec-load-"))
    services = LocalServices(scratch / "services", args.db / "index")
    args.label = args.label or _label(args.services)
    results = []
    try:
        if args.services != "none":
            started = services("start")
            wanted = {
                "postgres": ["CONVREC_SESSIONS"],
                "chroma": ["CONVREC_CHROMA_URL"],
                "both": ["CONVREC_SESSIONS", "CONVREC_CHROMA_URL"],
            }[args.services]
            os.environ.update({key: started[key] for key in wanted})
        for workers in args.workers:
            server = Server(args.db, workers, args.llm, scratch)
            try:
                ready = server.wait_ready()
                warm = _cold_vs_warm(server, args.llm) if args.cold_ask else None
                rounds = []
                for users in args.users:
                    tag = f"{args.label}-w{workers}-n{users}-{os.getpid()}"
                    rounds.append(asyncio.run(_round(server.url, users, tag)))
                    print(json.dumps({"workers": workers, **rounds[-1]}), flush=True)
            finally:
                server.stop()
            results.append(
                {
                    "workers": workers,
                    "startup_s": round(ready, 1),
                    "saturation_users": _saturation(rounds),
                    "cold_ask_vs_warm_turn_s": warm,
                    "rounds": rounds,
                }
            )
    finally:
        if args.services != "none":
            services("stop")
        shutil.rmtree(scratch, ignore_errors=True)
    report = {
        "label": args.label,
        "llm": args.llm,
        "sessions": os.environ.get("CONVREC_SESSIONS", "sqlite"),
        "chroma": os.environ.get("CONVREC_CHROMA_URL", "embedded"),
        "cpus": os.cpu_count(),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
