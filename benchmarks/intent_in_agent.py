"""Intent accuracy as the running agent sees it: rules alone vs the trained head + rules.

    .venv/bin/python benchmarks/intent_in_agent.py --head /path/to/db/models/intent-head \
        --out reports/intent_in_agent.json

Uses the held-out IARD gold dialogues of `convrec train-intent` (same split, seed 0), twice: with
the agent's previous utterance passed in (`agent_said`, what the agent does since it keeps its
last reply in the dialogue state) and with only the stand-in context of sessions that lack it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    from agent.intent.head import AFTER_LIST, HeadIntentModel, LocalIntentClassifier
    from agent.intent.rules import RuleIntentModel
    from agent.schema import Intent
    from corpora.paths import data_path
    from finetune.intent.dataset import split
    from finetune.intent.metrics import summary
    from retrieval.catalog import load_catalog
    from retrieval.entity_linker import EntityLinker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--head", type=Path, help="trained intent-head folder (optional)")
    parser.add_argument(
        "--data",
        type=Path,
        help="folder holding redial/ and iard/ (default: $CONVREC_DATA, else ../shared/data)",
    )
    parser.add_argument("--out", type=Path, default=Path("reports/intent_in_agent.json"))
    args = parser.parse_args()

    items = load_catalog(data_path(args.data, "redial", "catalog.json")).items
    rules = RuleIntentModel(EntityLinker(items), {g for i in items for g in i.genres})
    test = split(
        data_path(args.data, "iard", "iard_gold.json"),
        data_path(args.data, "iard", "iard_partial.json"),
    ).test
    gold = [e.label.value for e in test]
    shown = [5 if AFTER_LIST in e.runtime_text else 0 for e in test]  # a list was on screen
    systems = {"rules": rules}
    if args.head:
        systems["head + rules"] = HeadIntentModel(LocalIntentClassifier(args.head), rules)
    labels = [i.value for i in Intent]
    report = {}
    for name, m in systems.items():
        report[name] = summary(
            gold,
            [m.propose(e.utterance, n, e.agent_said).intent.value for e, n in zip(test, shown)],
            labels,
        )
        report[f"{name} (stand-in context)"] = summary(
            gold, [m.propose(e.utterance, n).intent.value for e, n in zip(test, shown)], labels
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    for name, result in report.items():
        print(f"{name}: accuracy {result['accuracy']:.3f}, macro-F1 {result['macro_f1']:.3f}")


if __name__ == "__main__":
    main()
