"""Slot extraction per slot type on the held-out IARD gold turns: catalog matching + rules with
the entity linker of a git revision, the same with the linker of the working tree, and the learned
BIO tagger of `finetune/intent/slot_tagger.py`, side by side.

    .venv/bin/python benchmarks/slots.py --out reports/slots.json          # ~3 min on CPU
    .venv/bin/python benchmarks/slots.py --tagger-steps 2 --out /tmp/s.json  # smoke

Every held-out turn counts (205 turns of the 30 held-out gold dialogues of `convrec
train-intent`, seed 0), so what a system finds in a turn without gold slots is a false positive.
The rules are not trained: they are also scored on all 77 gold dialogues ("all"), which have
more people and years. The baseline is the whole understanding code of --rev (rules, lexicon,
entity linker), unpacked with `git archive` and run in a subprocess on the ReDial catalog file;
the tree's rules use --db's index when given, else the same catalog file (the index holds its
items). Its ms/turn includes starting that subprocess.
The generative model is not run here (see finetune/README.md: ~55 s/turn on CPU).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from finetune.intent.slots import KINDS

# Runs inside a `git archive` of the baseline revision: its own rules, linker and lexicon.
_AT_REVISION = """
import json, sys
from agent.intent.rules import RuleIntentModel
from retrieval.catalog import load_catalog
from retrieval.entity_linker import EntityLinker
items = load_catalog(sys.argv[1]).items
linker = EntityLinker(items)
rules = RuleIntentModel(linker, {g for item in items for g in item.genres})
acts = [rules.propose(text, 1) for text in json.load(sys.stdin)]
json.dump([{**a.model_dump(mode="json"), "titles": [linker.item(i).display_title for i in
           a.liked_items + a.disliked_items + a.seen_items]} for a in acts], sys.stdout)
"""


def rules_at_revision(rev: str, utterances: list[str], catalog: Path) -> list[dict]:
    """Slots the rules of git revision `rev` (rules, lexicon and entity linker as committed)
    find in `utterances`: the revision is unpacked with `git archive` into a temporary folder
    and run there in a subprocess of this interpreter, ahead of the installed tree on sys.path."""
    import io
    import os
    import tarfile

    archive = subprocess.run(["git", "archive", rev], check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory(prefix=f"convrec-{rev}-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        out = subprocess.run(
            [sys.executable, "-c", _AT_REVISION, str(catalog.resolve())],
            check=False,
            cwd=folder,
            env={**os.environ, "PYTHONPATH": folder},
            input=json.dumps(utterances),
            capture_output=True,
            text=True,
        )
    if out.returncode:
        raise RuntimeError(f"the rules of {rev} failed:\n{out.stderr[-2000:]}")
    return [_act_slots(act) for act in json.loads(out.stdout)]


def _act_slots(act: dict) -> dict:
    low, high = act.get("year_min"), act.get("year_max")
    return {
        "title": act["titles"],
        "genre": act["liked_genres"] + act["disliked_genres"],
        "person": act["people"],
        "year": [] if low is None and high is None else [f"{low or ''}-{high or ''}"],
    }


def _items(db: Path | None, data: Path | None) -> list:
    if db:
        from agent.build import build_index
        from agent.settings import Settings

        return list(build_index(Settings.from_env(db=db)).items().values())
    from corpora.paths import data_path
    from retrieval.catalog import load_catalog

    return load_catalog(data_path(data, "redial", "catalog.json")).items


def score_rules(linker, items: list, examples: list) -> dict:
    """Catalog matching + rules (`RuleIntentModel`) on `examples`, with its time per turn."""
    import time

    from agent.intent.rules import RuleIntentModel
    from finetune.intent.slots import gold_slots, rule_slots, score

    rules = RuleIntentModel(linker, {g for item in items for g in item.genres})
    started = time.perf_counter()
    predicted = [rule_slots(rules.propose(e.utterance, 1), linker) for e in examples]
    report = score([gold_slots(e) for e in examples], predicted)
    report["ms_per_turn"] = 1000 * (time.perf_counter() - started) / max(1, len(examples))
    return report


def score_baseline(rev: str, examples: list, catalog: Path) -> dict:
    import time

    from finetune.intent.slots import gold_slots, score

    started = time.perf_counter()
    predicted = rules_at_revision(rev, [e.utterance for e in examples], catalog)
    report = score([gold_slots(e) for e in examples], predicted)
    report["ms_per_turn"] = 1000 * (time.perf_counter() - started) / max(1, len(examples))
    return report


def run(args: argparse.Namespace) -> dict:
    from corpora.paths import data_path
    from finetune.intent.dataset import load_examples, split
    from finetune.intent.slot_tagger import TaggerOptions, run_tagger

    gold_file = data_path(args.data, "iard", "iard_gold.json")
    held = set(split(gold_file, data_path(args.data, "iard", "iard_partial.json")).test_dialogues)
    everything = load_examples(gold_file)
    test = [e for e in everything if e.dialogue_id in held]
    catalog = data_path(args.data, "redial", "catalog.json")
    baseline = f"rules@{args.rev}"
    # The tagger trains first: the tree's rules, which others edit meanwhile, are read last.
    tagger = (
        None
        if args.skip_tagger
        else run_tagger(args.data, TaggerOptions(max_steps=args.tagger_steps))
    )
    systems = {baseline: score_baseline(args.rev, test, catalog)}
    all_gold = {f"{baseline}, all": score_baseline(args.rev, everything, catalog)}

    from retrieval.entity_linker import EntityLinker

    items = _items(args.db, args.data)
    linker = EntityLinker(items)
    systems["rules (tree)"] = score_rules(linker, items, test)
    all_gold["rules (tree), all"] = score_rules(linker, items, everything)
    if tagger:
        systems["tagger"] = tagger
    return {
        "turns": len(test),
        "all_gold_turns": len(everything),
        "held_out": systems,
        "all_gold": all_gold,
    }


def table(systems: dict[str, dict]) -> str:
    """Rows: slot types and micro; columns: P / R / F1 of each system; gold counts last."""
    names = list(systems)
    lines = [
        "type    " + "".join(f"{n[:24]:>26}" for n in names) + "   gold",
        "        " + "".join(f"{'P    R    F1':>26}" for _ in names),
    ]
    for kind in (*KINDS, "micro"):
        cells = "".join(
            f"{s[kind]['precision']:>16.2f}{s[kind]['recall']:>5.2f}{s[kind]['f1']:>5.2f}"
            for s in systems.values()
        )
        lines.append(f"{kind:<8}{cells}{next(iter(systems.values()))[kind]['gold']:>7}")
    lines.append(
        "ms/turn " + "".join(f"{s.get('ms_per_turn', 0):>26.1f}" for s in systems.values())
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        help="folder holding redial/ and iard/ (default: $CONVREC_DATA, else ../shared/data)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        help="data folder with an index (default: the items "
        "of the ReDial catalog file, which is what the index holds)",
    )
    parser.add_argument("--rev", default="4ae38e3", help="git revision of the baseline linker")
    parser.add_argument("--skip-tagger", action="store_true")
    parser.add_argument("--tagger-steps", type=int, help="smoke switch for the tagger")
    parser.add_argument("--out", type=Path, default=Path("reports/slots.json"))
    args = parser.parse_args()
    report = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"held-out IARD gold, {report['turns']} turns")
    print(table(report["held_out"]))
    print(f"\nrules on all IARD gold, {report['all_gold_turns']} turns")
    print(table(report["all_gold"]))
    print(f"\nreport: {args.out}")


if __name__ == "__main__":
    main()
