"""PNG figures for benchmark reports (matplotlib, from the `eval` extra; headless backend)."""

from __future__ import annotations

from pathlib import Path

from eval.redial.scoring import ConfigResult

_CUTS = (
    ("R@1", "recall_at_1"),
    ("R@10", "recall_at_10"),
    ("R@50", "recall_at_50"),
    ("NDCG@10", "ndcg_at_10"),
    ("MRR", "mrr"),
)


def _pyplot():
    try:
        import matplotlib
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError("plots need matplotlib: pip install 'convrec[eval]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_configs(results: list[ConfigResult], path: Path, title: str) -> Path:
    """Grouped bars: one group per metric, one bar per configuration."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(len(results), 1)
    for n, result in enumerate(results):
        xs = [i + n * width for i in range(len(_CUTS))]
        values = [getattr(result, key) for _, key in _CUTS]
        bars = ax.bar(xs, values, width, label=result.name)
        ax.bar_label(bars, fmt="%.3f", fontsize=7, rotation=90, padding=2)
    ax.set_xticks([i + width * (len(results) - 1) / 2 for i in range(len(_CUTS))])
    ax.set_xticklabels([label for label, _ in _CUTS])
    ax.set_ylabel("score")
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.margins(y=0.15)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_tradeoff(results: list[ConfigResult], path: Path, title: str) -> Path:
    """Recall@10 against ILD@10, one point per MMR lambda (the relevance/diversity curve)."""
    plt = _pyplot()
    points = sorted(results, key=lambda r: r.diversity)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot([r.ild_at_10 for r in points], [r.recall_at_10 for r in points], marker="o")
    for r in points:
        ax.annotate(
            f"λ={r.diversity:g}",
            (r.ild_at_10, r.recall_at_10),
            fontsize=8,
            textcoords="offset points",
            xytext=(4, 4),
        )
    ax.set_xlabel("ILD@10 (mean pairwise cosine distance)")
    ax.set_ylabel("Recall@10")
    ax.set_title(f"MMR trade-off: {title}", fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
