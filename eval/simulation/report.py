"""Metrics over simulated conversations, the JSON report and the success-by-turn plot."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from eval import metrics
from eval.simulation.runner import Episode

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np


def summarise(
    episodes: list[Episode],
    vectors: Callable[[list[str]], np.ndarray],
    catalog_size: int,
    max_turns: int = 5,
    k: int = 5,
) -> dict:
    """The agent's and the baseline's figures over all episodes.

    Args:
        vectors: ids -> unit item embeddings, for intra-list diversity.
        catalog_size: items in the index, for coverage.
    """
    n = len(episodes)
    by_turn = [
        sum(1 for e in episodes if e.success_turn and e.success_turn <= t) / n
        for t in range(1, max_turns + 1)
    ]
    wins = [e.success_turn for e in episodes if e.success_turn]
    latencies = [ms for e in episodes for ms in e.latencies_ms]
    agent_lists = [ids for e in episodes for ids in e.shown if ids]
    return {
        "users": n,
        "max_turns": max_turns,
        "k": k,
        "agent": {
            "success_rate": by_turn[-1],
            "success_rate_ci95": _wilson(by_turn[-1], n),
            "success_by_turn": by_turn,
            "avg_turns_to_success": sum(wins) / len(wins) if wins else None,
            "recall_at_10_last_turn": _mean(
                metrics.recall_at_k(e.last_turn_top10, {e.target_id}, 10) for e in episodes
            ),
            "diversity": _diversity(agent_lists, vectors, catalog_size),
            "latency_ms": {
                "p50": _percentile(latencies, 50),
                "p95": _percentile(latencies, 95),
                "turns": len(latencies),
            },
            "errors": sum(1 for e in episodes if e.error),
        },
        "baseline": _baseline(episodes, vectors, catalog_size, max_turns, k),
        "paired": {  # users only one of the two served: the comparison is on the same users
            "agent_only": sum(1 for e in episodes if e.success_turn and not _base_hit(e, k)),
            "baseline_only": sum(1 for e in episodes if _base_hit(e, k) and not e.success_turn),
        },
    }


def _baseline(episodes: list[Episode], vectors, catalog_size: int, max_turns: int, k: int) -> dict:
    n = len(episodes)
    exposure = [
        _mean(metrics.hit_rate_at_k(e.baseline, {e.target_id}, k * t) for e in episodes)
        for t in range(1, max_turns + 1)
    ]
    return {
        "description": "ranks once from the first message only",
        "success_rate": exposure[0],
        "success_rate_ci95": _wilson(exposure[0], n),
        "hit_at_5t_by_turn": exposure,  # same number of movies shown as the agent by turn t
        "recall_at_10": _mean(metrics.recall_at_k(e.baseline, {e.target_id}, 10) for e in episodes),
        "diversity": _diversity(
            [e.baseline[:k] for e in episodes if e.baseline], vectors, catalog_size
        ),
    }


def _base_hit(episode: Episode, k: int) -> bool:
    return episode.target_id in episode.baseline[:k]


def _diversity(lists: list[list[str]], vectors, catalog_size: int) -> dict:
    return {
        "intra_list": _mean(metrics.intra_list_diversity(vectors(ids)) for ids in lists),
        "coverage": metrics.catalog_coverage(lists, catalog_size),
        "distinct_items": len({i for ids in lists for i in ids}),
    }


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def _wilson(rate: float, n: int, z: float = 1.96) -> list[float]:
    """95% Wilson interval of a proportion: honest error bars for a few hundred users."""
    if n == 0:
        return [0.0, 0.0]
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(centre - half, 4), round(centre + half, 4)]


def write_report(report: dict, episodes: list[Episode], out: Path) -> tuple[Path, Path]:
    """`out`/simulation.json (figures and every conversation) and `out`/success_by_turn.png."""
    from dataclasses import asdict

    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "simulation.json"
    payload = {**report, "episodes": [asdict(e) for e in episodes]}
    json_path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return json_path, _plot(report, out / "success_by_turn.png")


def _plot(report: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    turns = list(range(1, report["max_turns"] + 1))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(turns, report["agent"]["success_by_turn"], marker="o", label="agent (Hit@5 by turn)")
    ax.plot(
        turns,
        report["baseline"]["hit_at_5t_by_turn"],
        marker="s",
        linestyle="--",
        label="first message only, same number shown",
    )
    ax.axhline(
        report["baseline"]["success_rate"],
        color="grey",
        linestyle=":",
        label="first message only, Hit@5",
    )
    ax.set(
        xlabel="user turn",
        ylabel="success rate",
        ylim=(0, 1),
        xticks=turns,
        title=f"Simulated users (n={report['users']})",
    )
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def summary_text(report: dict) -> str:
    """The report's headline figures, a few lines for the terminal."""
    a, b = report["agent"], report["baseline"]
    lines = [
        f"{report['users']} simulated users, {report['max_turns']} turns, top {report['k']}",
        f"agent    success (Hit@5 within {report['max_turns']} turns) {a['success_rate']:.3f} "
        f"95% CI {a['success_rate_ci95']}; by turn "
        + " ".join(f"{x:.2f}" for x in a["success_by_turn"]),
        f"baseline success (first message only, Hit@5) {b['success_rate']:.3f} "
        f"95% CI {b['success_rate_ci95']}; same exposure "
        + " ".join(f"{x:.2f}" for x in b["hit_at_5t_by_turn"]),
        (
            f"avg turns to success {a['avg_turns_to_success'] or 0:.2f}; Recall@10 last turn "
            f"{a['recall_at_10_last_turn']:.3f} (baseline {b['recall_at_10']:.3f})"
        ),
        (
            f"diversity: intra-list {a['diversity']['intra_list']:.3f}, coverage "
            f"{a['diversity']['coverage']:.3f}; latency p50 {a['latency_ms']['p50']:.0f} ms, "
            f"p95 {a['latency_ms']['p95']:.0f} ms"
        ),
    ]
    return "\n".join(lines)
