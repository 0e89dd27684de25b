"""Failure drill: stop the Chroma server, the PostgreSQL server and the language-model server in
turn while simulated users talk to `convrec serve`, and check that the API answers with clear
errors or degraded turns, recovers by itself, and loses no session.

    .venv/bin/python benchmarks/failure_drill.py --db /tmp/rdb --out reports/failure_drill.json \
        [--llm-command "convrec serve-llm ... --port 8001" --llm-url http://127.0.0.1:8001/v1 \
         --llm-model generator]

It starts everything itself on loopback (scripts/local_services.sh: a PostgreSQL cluster and a
Chroma server holding a copy of --db's index; the language-model server from --llm-command, if
given), then `convrec serve --workers 2` pointed at them. Users keep starting conversations (the
load test's scripts) for the whole drill. Phases: steady, chroma down, recovered, postgres down,
recovered, llm down, recovered. Per phase: answers by status, turns answered without generated
text, and seconds from a server's restart to the first good turn. At the end, every session's
stored history must hold exactly the turns its user got a 200 for.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load_test import CONVERSATIONS, LocalServices, Server, _check_sessions, request_for


class Drill:
    """The servers the workers need, each of which can be stopped and started again."""

    def __init__(self, scratch: Path, db: Path, llm_command: str | None) -> None:
        self.services = LocalServices(scratch / "services", db / "index")
        self.scratch = scratch
        self.llm_command = llm_command
        self.llm_process: subprocess.Popen | None = None

    def start_llm(self) -> None:
        if self.llm_command:
            log = open(self.scratch / "llm.log", "a")  # noqa: SIM115 (lives with the process)
            # Its own process group: a model server (vLLM) runs in child processes that a
            # signal to the launcher alone leaves running.
            self.llm_process = subprocess.Popen(
                shlex.split(self.llm_command),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop_llm(self) -> None:
        if self.llm_process is not None:
            group = os.getpgid(self.llm_process.pid)
            os.killpg(group, signal.SIGTERM)
            try:
                self.llm_process.wait(90)  # it stops its own servers first (vLLM: up to 30 s)
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)  # whatever of the group is still there
            self.llm_process = None


async def _users(url: str, count: int, stop: asyncio.Event, log: list[dict]) -> dict:
    """`count` users, each running scripted conversations one after another until `stop`."""
    import httpx

    sent: dict[str, list] = {}

    async def user(u: int) -> None:
        n = 0
        async with httpx.AsyncClient(timeout=120) as client:
            while not stop.is_set():
                session = f"drill-u{u}-c{n}"
                await _conversation(client, url, session, CONVERSATIONS[(u + n) % 6], sent, log)
                n += 1

    await asyncio.gather(*(user(u) for u in range(count)))
    return sent


async def _conversation(client, url, session, script, sent, log) -> None:
    shown: list[str] = []
    sent[session] = []
    for step in script:
        request = request_for(step, shown)
        if request is None:
            continue
        path, body, expected = request
        started = time.time()
        entry = {"t": started, "session": session}
        try:
            r = await client.post(f"{url}/v1/sessions/{session}/{path}", json=body)
            entry["status"] = r.status_code
            payload = r.json()
        except Exception as exc:  # noqa: BLE001 (a refused connection is a result here)
            entry["status"], payload = type(exc).__name__, {}
        entry["seconds"] = time.time() - started
        if entry["status"] == 200:
            sent[session].append(expected)
            entry["degraded"] = bool(payload.get("error"))
            shown = [item["id"] for item in payload["items"]] or shown
        else:
            entry["detail"] = str(payload.get("detail", ""))[:200]
        log.append(entry)
        await asyncio.sleep(0.2)


async def _run(args, drill: Drill, server: Server) -> dict:
    stop, log, marks = asyncio.Event(), [], []
    users = asyncio.create_task(_users(server.url, args.users, stop, log))

    async def phase(name: str, seconds: float, action=None) -> None:
        """A phase starts as its action (stopping or starting a server) starts."""
        marks.append({"phase": name, "t": time.time()})
        started = time.time()
        if action is not None:
            await asyncio.to_thread(action)
        marks[-1]["action_s"] = round(time.time() - started, 2)
        await asyncio.sleep(seconds)

    s = args.phase_seconds
    await phase("steady", s)
    if "chroma" in args.drills:
        await phase("chroma down", s, lambda: drill.services("stop-chroma"))
        await phase("chroma back", s, lambda: drill.services("start-chroma"))
    if "postgres" in args.drills:
        await phase("postgres down", s, lambda: drill.services("stop-postgres"))
        await phase("postgres back", s, lambda: drill.services("start-postgres"))
    if args.llm_command and "llm" in args.drills:
        await phase("llm down", s, drill.stop_llm)
        await phase("llm back", args.llm_start_seconds, drill.start_llm)
    marks.append({"phase": "end", "t": time.time()})
    stop.set()
    sent = await users
    import httpx

    async with httpx.AsyncClient(timeout=60) as client:
        wrong = await _check_sessions(client, server.url, sent)
    return {"phases": _phases(log, marks), "sessions": len(sent), "sessions_wrong": wrong}


def _phases(log: list[dict], marks: list[dict]) -> list[dict]:
    """Answers by phase, and how soon after each restart the first good turn came."""
    out = []
    for mark, following in itertools.pairwise(marks):
        entries = [e for e in log if mark["t"] <= e["t"] < following["t"]]
        statuses: dict[str, int] = {}
        for e in entries:
            statuses[str(e["status"])] = statuses.get(str(e["status"]), 0) + 1
        first_ok = min((e["t"] + e["seconds"] for e in entries if e["status"] == 200), default=None)
        out.append(
            {
                "phase": mark["phase"],
                "action_s": mark.get("action_s"),
                "answers": statuses,
                "degraded_200": sum(1 for e in entries if e.get("degraded")),
                # When the last turn without its generated text ended: the model server's
                # recovery as users see it (it loads for minutes; the breaker waits 30 s).
                "last_degraded_after_s": max(
                    (e["t"] + e["seconds"] - mark["t"] for e in entries if e.get("degraded")),
                    default=None,
                ),
                "first_good_turn_after_s": None if first_ok is None else first_ok - mark["t"],
                "error_details": sorted({e["detail"] for e in entries if e.get("detail")})[:3],
            }
        )
    return out


def _wait_for(url: str, timeout: float) -> None:
    """Until `url` answers 200 (a model server loading its weights)."""
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", type=Path, required=True, help="data folder with index and models")
    p.add_argument("--users", type=int, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--phase-seconds", type=float, default=20.0)
    p.add_argument(
        "--drills",
        nargs="+",
        choices=["chroma", "postgres", "llm"],
        default=["chroma", "postgres", "llm"],
        help="which servers to stop in turn (llm: only with --llm-command)",
    )
    p.add_argument("--llm-command", help="starts an OpenAI-compatible server (e.g. vLLM)")
    p.add_argument("--llm-url", help="its base URL, e.g. http://127.0.0.1:8001/v1")
    p.add_argument("--llm-model", help="its served model name")
    p.add_argument(
        "--llm-start-seconds",
        type=float,
        default=180.0,
        help="how long the phase after restarting the model server lasts (vLLM loads slowly)",
    )
    p.add_argument("--out", type=Path, default=Path("reports/failure_drill.json"))
    args = p.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="convrec-drill-"))
    drill = Drill(scratch, args.db, args.llm_command)
    server = None
    try:
        env = drill.services("start")
        drill.start_llm()
        if args.llm_command:
            _wait_for(f"{args.llm_url}/models", timeout=600)
        os.environ.update(env)  # the workers read CONVREC_SESSIONS and CONVREC_CHROMA_URL
        llm = "none"
        if args.llm_command:
            os.environ.update(
                {"CONVREC_OPENAI_BASE_URL": args.llm_url, "CONVREC_OPENAI_MODEL": args.llm_model}
            )
            llm = "openai"
        server = Server(args.db, args.workers, llm, scratch)
        server.wait_ready()
        report = asyncio.run(_run(args, drill, server))
    finally:
        if server is not None:
            server.stop()
        drill.stop_llm()
        drill.services("stop")
        shutil.rmtree(scratch, ignore_errors=True)
    report.update({"users": args.users, "workers": args.workers, "llm": args.llm_command})
    print(json.dumps(report, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    return 0 if not report["sessions_wrong"] else 1


if __name__ == "__main__":
    sys.exit(main())
