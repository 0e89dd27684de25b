"""`convrec eval redial`: the ReDial benchmark (see eval/README.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_REDIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "redial"


def register(sub: argparse._SubParsersAction) -> None:
    """Add `redial` to the `convrec eval` group."""
    p = sub.add_parser("redial", help="ReDial Recall@K benchmark with baselines")
    p.add_argument("--db", help="data folder with the ReDial index (default: $CONVREC_HOME)")
    p.add_argument("--data", default=str(DEFAULT_REDIAL),
                   help=f"folder with the ReDial files (default: {DEFAULT_REDIAL})")
    p.add_argument("--split", choices=["valid", "test"], default="test")
    p.add_argument("--protocol", choices=["full", "dedup"], default="dedup")
    p.add_argument("--out", help="report JSON path; PNG plots are written beside it")
    p.add_argument("--limit", type=int, help="only the first N turns (quick runs)")
    p.add_argument("--diversity", type=float, default=None,
                   help="MMR lambda of the system (default: the setting, 0 = none)")
    p.add_argument("--lambdas", help="also sweep these MMR lambdas, e.g. 0,0.2,0.4,0.6")
    p.add_argument("--fold", type=int, choices=range(5),
                   help="valid only: just the dialogues of this fold (4 is held out from reranker training)")
    p.add_argument("--no-baselines", action="store_true", help="only the system")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_redial)


def cmd_redial(args: argparse.Namespace) -> int:
    from agent.settings import Settings
    from eval.redial_benchmark import BenchmarkArgs, run_benchmark

    settings = Settings.from_env(db=args.db, llm="none", diversity=args.diversity)
    report = run_benchmark(settings, BenchmarkArgs(
        redial_dir=Path(args.data), split=args.split, protocol=args.protocol, limit=args.limit,
        out=Path(args.out) if args.out else None, diversity=settings.diversity,
        lambdas=[float(x) for x in args.lambdas.split(",")] if args.lambdas else None,
        baselines=not args.no_baselines, progress=not args.quiet, fold=args.fold,
    ))
    print(f"{report['split']}/{report['protocol']}: wall time {report['wall_seconds']}s, "
          f"CPU time {report['cpu_seconds']}s"
          + (f", report {args.out}" if args.out else ""))
    return 0
