"""`convrec eval script FILE` and `convrec eval simulate --n 200` (registered by eval/cli.py).

    convrec eval script eval/scripts --db /path/to/db
    convrec eval simulate --n 200 --db /path/to/redial-db --out simulation-report
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_DIALOGUES = Path("../shared/data/redial/valid_dialogues.jsonl")


def register(group: argparse._SubParsersAction) -> None:
    """Add `script` and `simulate` to the `convrec eval` group."""
    from convrec.cli import _common

    p = group.add_parser("script", help="run scripted dialogues and check their expectations")
    _common(p)
    p.add_argument("files", nargs="+", type=Path, help="script files (.yaml/.jsonl) or folders")
    p.add_argument("--catalog", help="catalog to index if the folder has none yet")
    p.set_defaults(func=cmd_script)

    p = group.add_parser("simulate", help="simulated cold-start users vs a one-shot baseline")
    _common(p)
    p.add_argument("--n", type=int, default=200, help="simulated users (default 200)")
    p.add_argument("--turns", type=int, default=5, help="user messages per conversation")
    p.add_argument("--seed", type=int, default=0, help="picks the dialogues and targets")
    p.add_argument("--dialogues", type=Path, default=DEFAULT_DIALOGUES,
                   help=f"ReDial valid_dialogues.jsonl (default {DEFAULT_DIALOGUES})")
    p.add_argument("--liked-only", action="store_true",
                   help="users name liked movies only, never the target's genres or era")
    p.add_argument("--out", type=Path, default=Path("simulation-report"),
                   help="folder for simulation.json and success_by_turn.png")
    p.add_argument("--catalog", help="catalog to index if the folder has none yet")
    p.set_defaults(func=cmd_simulate)


def _quiet_agent(args: argparse.Namespace, db: Path | None = None):
    """An agent that writes from templates unless --llm says otherwise (recommendations do not
    depend on the writer), with its sessions in a scratch file, not the user's history."""
    import tempfile

    from agent.session_store import SessionStore
    from convrec.cli import _agent

    args.llm = args.llm or "none"
    if db is not None:
        args.db = str(db)
    agent = _agent(args)
    agent.store = SessionStore(Path(tempfile.mkdtemp(prefix="convrec-eval-")) / "sessions.sqlite3")
    return agent


def cmd_script(args: argparse.Namespace) -> int:
    from eval.script import load_scripts
    from eval.script_runner import format_results, run_scripts

    scripts = [script for path in args.files for script in load_scripts(path)]
    scratch = _scratch_copy(args) if any(s.items for s in scripts) else None
    results = run_scripts(_quiet_agent(args, scratch), scripts)
    print(format_results(results))
    return 0 if all(r.passed for r in results) else 1


def _scratch_copy(args: argparse.Namespace) -> Path:
    """Scripts that add items run on a copy of the index, so the real catalog stays as it was."""
    import shutil
    import tempfile

    from agent.settings import Settings

    source = Settings.from_env(db=args.db).index_dir
    scratch = Path(tempfile.mkdtemp(prefix="convrec-script-db-"))
    if source.is_dir():
        print(f"(scripts add items: running on a copy of {source})", file=sys.stderr)
        shutil.copytree(source, scratch / "index")
    return scratch


def cmd_simulate(args: argparse.Namespace) -> int:
    from eval.simulation import hold_out, simulate, vector_lookup
    from eval.simulation_profiles import load_profiles
    from eval.simulation_report import summarise, write_report

    if not args.dialogues.is_file():
        raise FileNotFoundError(f"ReDial dialogues not found: {args.dialogues} (use --dialogues)")
    agent = _quiet_agent(args)
    items = agent.pipeline.retriever.index.items()
    profiles = load_profiles(args.dialogues, items, args.n, args.seed)
    collaborative = hold_out(agent, profiles, args.dialogues.parent)
    episodes = simulate(agent, profiles, args.turns, not args.liked_only, progress=True)
    report = summarise(episodes, vector_lookup(agent), len(items), args.turns, agent.k)
    report.update(seed=args.seed, collaborative="rebuilt without the users' own dialogues"
                  if collaborative else "none", users_say="liked movies" if args.liked_only
                  else "liked movies, the target's genres and era")
    json_path, plot_path = write_report(report, episodes, args.out)
    print(_summary(report))
    print(f"report: {json_path}\nplot: {plot_path}")
    return 0


def _summary(report: dict) -> str:
    a, b = report["agent"], report["baseline"]
    lines = [
        f"{report['users']} simulated users, {report['max_turns']} turns, top {report['k']}",
        f"agent    success (Hit@5 within {report['max_turns']} turns) {a['success_rate']:.3f} "
        f"95% CI {a['success_rate_ci95']}; by turn "
        + " ".join(f"{x:.2f}" for x in a["success_by_turn"]),
        f"baseline success (first message only, Hit@5) {b['success_rate']:.3f} "
        f"95% CI {b['success_rate_ci95']}; same exposure "
        + " ".join(f"{x:.2f}" for x in b["hit_at_5t_by_turn"]),
        (f"avg turns to success {a['avg_turns_to_success'] or 0:.2f}; Recall@10 last turn "
        f"{a['recall_at_10_last_turn']:.3f} (baseline {b['recall_at_10']:.3f})"),
        (f"diversity: intra-list {a['diversity']['intra_list']:.3f}, coverage "
        f"{a['diversity']['coverage']:.3f}; latency p50 {a['latency_ms']['p50']:.0f} ms, "
        f"p95 {a['latency_ms']['p95']:.0f} ms"),
    ]
    return "\n".join(lines)
