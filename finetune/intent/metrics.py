"""Classification metrics, per intent and overall. Pure functions over label lists."""

from __future__ import annotations

from collections.abc import Sequence


def per_label(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict:
    """Per label: precision, recall (= accuracy on that label's turns), F1 and support.

    Returns:
        {label: {"precision", "recall", "f1", "support"}}; a label never predicted and never
        true gets zeros (and support 0).
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    table = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return table


def summary(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict:
    """Accuracy, macro-F1 over the labels present in `gold`, and the per-label table."""
    table = per_label(gold, predicted, labels)
    present = [label for label in labels if table[label]["support"]]
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold) if gold else 0.0
    macro = sum(table[label]["f1"] for label in present) / len(present) if present else 0.0
    return {"accuracy": accuracy, "macro_f1": macro, "n": len(gold), "per_intent": table}
