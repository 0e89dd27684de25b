"""`convrec eval redial|script|simulate`: offline evaluation (see eval/README.md).

convrec eval redial --db /tmp/a3db --split test --protocol dedup --out reports/test-dedup.json
convrec eval script eval/scripts --db /path/to/db
convrec eval simulate --n 200 --db /path/to/redial-db --out simulation-report
convrec eval simulate --books --n 200 --db /tmp/books-db --out books-simulation
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from convrec.commands.options import add_agent_options, add_data_option, agent_from


def register(sub: argparse._SubParsersAction) -> None:
    """Add `convrec eval` with its own sub-commands (redial, script, simulate)."""
    group = sub.add_parser("eval", help="offline evaluation").add_subparsers(
        dest="eval_command", required=True
    )
    p = group.add_parser("redial", help="ReDial Recall@K benchmark with baselines")
    p.add_argument("--db", help="data folder with the ReDial index (default: $CONVREC_HOME)")
    add_data_option(p)
    p.add_argument("--split", choices=["valid", "test"], default="test")
    p.add_argument("--protocol", choices=["full", "dedup"], default="dedup")
    p.add_argument("--out", help="report JSON path; PNG plots are written beside it")
    p.add_argument("--limit", type=int, help="only the first N turns (quick runs)")
    p.add_argument(
        "--diversity",
        type=float,
        default=None,
        help="MMR lambda of the system (default: the setting, 0 = none)",
    )
    p.add_argument("--lambdas", help="also sweep these MMR lambdas, e.g. 0,0.2,0.4,0.6")
    p.add_argument(
        "--fold",
        type=int,
        choices=range(5),
        help="valid only: just the dialogues of this fold (4 is held out from reranker training)",
    )
    p.add_argument("--no-baselines", action="store_true", help="only the system")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_redial)

    p = group.add_parser("script", help="run scripted dialogues and check their expectations")
    add_agent_options(p)
    p.add_argument("files", nargs="+", type=Path, help="script files (.yaml/.jsonl) or folders")
    p.add_argument("--catalog", help="catalog to index if the folder has none yet")
    p.set_defaults(func=cmd_script)

    p = group.add_parser("simulate", help="simulated cold-start users vs a one-shot baseline")
    add_agent_options(p)
    add_data_option(p)
    p.add_argument("--n", type=int, default=200, help="simulated users (default 200)")
    p.add_argument("--turns", type=int, default=5, help="user messages per conversation")
    p.add_argument("--seed", type=int, default=0, help="picks the dialogues and targets")
    p.add_argument(
        "--dialogues",
        type=Path,
        help="ReDial valid_dialogues.jsonl (default: redial/ of the data folder)",
    )
    p.add_argument(
        "--liked-only",
        action="store_true",
        help="users name liked movies only, never the target's genres or era",
    )
    p.add_argument(
        "--books",
        action="store_true",
        help="readers made from a book catalog (goodbooks-10k in --db), not ReDial dialogues",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("simulation-report"),
        help="folder for simulation.json and success_by_turn.png",
    )
    p.add_argument("--catalog", help="catalog to index if the folder has none yet")
    p.set_defaults(func=cmd_simulate)


def cmd_redial(args: argparse.Namespace) -> int:
    from agent.settings import Settings
    from corpora.paths import data_path
    from eval.redial.benchmark import BenchmarkArgs, run_benchmark

    settings = Settings.from_env(db=args.db, llm="none", diversity=args.diversity)
    report = run_benchmark(
        settings,
        BenchmarkArgs(
            redial_dir=data_path(args.data, "redial"),
            split=args.split,
            protocol=args.protocol,
            limit=args.limit,
            out=Path(args.out) if args.out else None,
            diversity=settings.diversity,
            lambdas=[float(x) for x in args.lambdas.split(",")] if args.lambdas else None,
            baselines=not args.no_baselines,
            progress=not args.quiet,
            fold=args.fold,
        ),
    )
    print(
        f"{report['split']}/{report['protocol']}: wall time {report['wall_seconds']}s, "
        f"CPU time {report['cpu_seconds']}s" + (f", report {args.out}" if args.out else "")
    )
    return 0


def _quiet_agent(args: argparse.Namespace, db: Path | None = None):
    """An agent that writes from templates unless --llm says otherwise (recommendations do not
    depend on the writer), with its sessions in a scratch file, not the user's history."""
    import tempfile

    from agent.session_store import SessionStore

    args.llm = args.llm or "none"
    if db is not None:
        args.db = str(db)
    scratch = SessionStore(Path(tempfile.mkdtemp(prefix="convrec-eval-")) / "sessions.sqlite3")
    return agent_from(args, store=scratch)


def cmd_script(args: argparse.Namespace) -> int:
    from eval.script.format import load_scripts
    from eval.script.runner import format_results, run_scripts

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
    if args.books:
        return _simulate_books(args)
    from corpora.paths import data_path
    from eval.simulation.profiles import load_profiles
    from eval.simulation.report import summarise, summary_text, write_report
    from eval.simulation.runner import hold_out, simulate, vector_lookup

    dialogues = args.dialogues or data_path(args.data, "redial", "valid_dialogues.jsonl")
    if not dialogues.is_file():
        raise FileNotFoundError(f"ReDial dialogues not found: {dialogues} (use --dialogues)")
    agent = _quiet_agent(args)
    items = agent.items()
    profiles = load_profiles(dialogues, items, args.n, args.seed)
    agent, collaborative = hold_out(agent, profiles, dialogues.parent)
    episodes = simulate(agent, profiles, args.turns, not args.liked_only, progress=True)
    report = summarise(episodes, vector_lookup(agent), len(items), args.turns, agent.k)
    report.update(
        seed=args.seed,
        collaborative="rebuilt without the users' own dialogues" if collaborative else "none",
        users_say="liked movies"
        if args.liked_only
        else "liked movies, the target's genres and era",
    )
    json_path, plot_path = write_report(report, episodes, args.out)
    print(summary_text(report))
    print(f"report: {json_path}\nplot: {plot_path}")
    return 0


def _simulate_books(args: argparse.Namespace) -> int:
    """Simulated readers on the book catalog of --db: same conversation, baseline and report
    as the movie users, with targets and profiles from the catalog (no dialogues exist)."""
    from eval.simulation.book_profiles import book_profiles
    from eval.simulation.report import summarise, summary_text, write_report
    from eval.simulation.runner import simulate, vector_lookup

    agent = _quiet_agent(args)
    items = agent.items()
    profiles = book_profiles(items, args.n, args.seed)
    episodes = simulate(
        agent, profiles, args.turns, not args.liked_only, progress=True, noun=agent.profile.noun
    )
    report = summarise(episodes, vector_lookup(agent), len(items), args.turns, agent.k)
    report.update(
        seed=args.seed,
        collaborative="none" if agent.pipeline.context.collaborative is None else "the --db one",
        users_say="liked books"
        if args.liked_only
        else "liked books, the target's rarest genres and era",
        profiles="other popular books sharing the target's rarest genre and one more; "
        "never its author or series",
    )
    json_path, plot_path = write_report(report, episodes, args.out)
    print(summary_text(report))
    print(f"report: {json_path}\nplot: {plot_path}")
    return 0
