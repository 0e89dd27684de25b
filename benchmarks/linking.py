"""Entity-linking benchmark: do titles typed the way people type them link, and do common
phrases that happen to be titles ("date night", "up", "her") stay unlinked?

    .venv/bin/python benchmarks/linking.py --out reports/linking.json   # --data DIR, --seed N

Cases, built from `<data>/redial/`:
- mentions: the seeker messages of `valid_dialogues.jsonl` that name movies. Each "@id" becomes
  the catalog title as typed: no year; lower case in a share (`--lower`, 0.4); a one-letter
  typo in a share (`--typo`, 0.15). Gold: the catalog ids.
- controls: chat sentences using everyday phrases that are also catalog titles, no title meant.
  Gold: nothing.
A predicted link is right (strict) when its id is the gold id, or (title level) when its title
equals the gold one (same-titled items). Precision counts every link, controls included.
"Today's linker" (retrieval/entity_linker.py at commit `--baseline`) runs beside the working
tree's in the same process. Popularity (used to pick among same-titled items) is counted from
the same valid dialogues, as the ReDial catalog loader does.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

_MENTION = re.compile(r"@(\d+)")

# Sentences a user types with no title in mind; each uses a phrase that is a catalog title.
HANDWRITTEN = [
    "I'd like something for date night",
    "we're planning a date night, any ideas?",
    "something for date night with my wife",
    "it's date night tonight",
    "I want to watch the game later",
    "after the game we want a movie",
    "my 8 year old wants a movie",
    "something for my 8 year old please",
    "I have an 8 year old and a 5 year old",
    "cheer me up",
    "I'm up for anything",
    "what's up",
    "my wife likes comedies, she'd love it",
    "I bought it for her",
    "I love it",
    "I liked it a lot",
    "I saw it last year",
    "have you seen it?",
    "sounds good",
    "Sounds good, thanks!",
    "that sounds good to me",
    "home alone tonight",
    "I'm home alone tonight, something scary",
    "thank you so much",
    "Thank you!",
    "you're welcome",
    "good night",
    "Good night and thanks",
    "see you later",
    "I'm in the mood",
    "I'm in the mood for love stories",
    "we like the same things",
    "it was a bad day",
    "i had a long day at work",
    "something for a rainy day",
    "I need a good cry",
    "nothing too scary please",
    "I don't know",
    "I don't know, maybe action",
    "my kids love animals",
    "my friends are coming over",
    "a movie for the whole family",
    "something funny for my wife and me",
    "any movie with a happy ending",
    "it's my birthday today",
    "we have a girls night",
    "it's a boys night in",
    "something to watch this weekend",
    "anything but horror",
    "I'm looking for a good drama",
    "what about the new ones",
    "the last one was great",
    "tell me more about it",
    "I loved the first one",
    "not my type",
    "sure, why not",
    "I'm all ears",
    "that's it",
    "that's all for now, bye",
    "what else do you have",
    "so far so good",
    "let me think",
    "the end was sad",
    "I'm tired tonight",
    "we're snowed in",
    "my mom is visiting",
    "something my dad would like",
    "a movie for the two of us",
    "i like big movies",
    "I enjoyed the music",
    "i watched a lot of movies this year",
    "it was the best",
    "something for the kids",
    "we're going on a road trip",
    "on a plane tomorrow",
    # Misspelt everyday words: a typo is forgiven only when it is near a title, not in these.
    "i realy liked that one",
    "thnaks so much",
    "that sounds greaat",
    "somethign funny please",
    "I'm looking for a scray movie",
    "i dont wnat anything too long",
    "my hubsand likes action",
    "we watched a documentery last night",
    "it was hilarous",
    "somthing romantic for tonite",
    "i am lookin for a thriler",
    "any recomendations for teh weekend?",
]
TEMPLATES = [
    "{} lol",
    "well {} i guess",
    "my friend said {} the other day",
    "haha {}",
    "{}, anyway",
    "so {} and then we ate",
    "she said {} and left",
    "then {} happened at dinner",
    "{} is what my boss always says",
    "ok {} then",
]


def render(title: str, rng: random.Random, lower: float, typo: float) -> str:
    """A title as a person types it: maybe lower case, maybe one letter off."""
    text = title.lower() if rng.random() < lower else title
    if rng.random() < typo:
        words = [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z]{4,}", text)]
        if words:
            start, end = rng.choice(words)
            pos = rng.randrange(start + 1, end - 1)  # keep first and last letters
            kind = rng.choice(("swap", "drop", "double"))
            if kind == "swap":
                text = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
            elif kind == "drop":
                text = text[:pos] + text[pos + 1 :]
            else:
                text = text[:pos] + text[pos] + text[pos:]
    return text


def mention_cases(
    redial: Path, items: dict, rng: random.Random, lower: float, typo: float
) -> list[dict]:
    """Seeker messages with their movie mentions rendered as typed; gold = catalog ids."""
    cases = []
    with (redial / "valid_dialogues.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            names = row.get("movieMentions") or {}
            for message in row["messages"]:
                if message["senderWorkerId"] != row["initiatorWorkerId"]:
                    continue
                if not _MENTION.search(message["text"]):
                    continue
                gold: list[str] = []
                spans: list[list[int]] = []
                text, last = "", 0
                source = " ".join(message["text"].split())
                for match in _MENTION.finditer(source):
                    text += source[last : match.start()]
                    last = match.end()
                    id_ = match.group(1)
                    name = (
                        items[id_].title
                        if id_ in items
                        else re.sub(r"\s*\(\d{4}\)\s*$", "", names.get(id_) or "") or "that movie"
                    )
                    typed = render(name, rng, lower, typo)
                    if id_ in items:
                        gold.append(id_)
                        spans.append([len(text), len(text) + len(typed)])
                    text += typed
                cases.append({"text": text + source[last:], "gold": gold, "spans": spans})
    return cases


def everyday_titles(redial: Path, items: dict) -> list[str]:
    """Catalog titles of 1-3 words, each among the 600 commonest words of the dialogues."""
    counts: Counter = Counter()
    with (redial / "valid_dialogues.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            for message in json.loads(line)["messages"]:
                counts.update(re.findall(r"[a-z']+", _MENTION.sub(" ", message["text"].lower())))
    common = {w for w, _ in counts.most_common(600)}
    titles = set()
    for item in items.values():
        words = re.findall(r"[a-z0-9']+", item.title.lower())
        if 1 <= len(words) <= 3 and all(w in common for w in words):
            titles.add(item.title.lower())
    return sorted(titles)


def control_cases(redial: Path, items: dict, rng: random.Random, size: int) -> list[dict]:
    """Sentences with everyday phrases that are also titles, no title meant; gold = none."""
    phrases = everyday_titles(redial, items)
    generated = [rng.choice(TEMPLATES).format(p) for p in rng.sample(phrases, len(phrases))]
    texts = HANDWRITTEN + generated[: max(0, size - len(HANDWRITTEN))]
    return [{"text": t, "gold": [], "spans": []} for t in texts]


def score(linker, items: dict, cases: list[dict]) -> dict:
    """Mention precision, recall and F1, strict (id) and title level.

    A link in a mention sentence that overlaps no rendered mention is counted apart
    (`unmarked`): ReDial leaves many titles unmarked ("we loved Star Wars"), so such a link is
    as often right as wrong; `precision_all` counts it as wrong."""
    from retrieval.entity_linker import normalise

    predicted = gold_total = unmarked = 0
    hits = {"strict": 0, "title": 0}
    control_links = 0
    errors: list[dict] = []
    unmarked_examples: list[str] = []
    for case in cases:
        found = []
        for m in linker.find_titles(case["text"]):
            if case["gold"] and not any(m.start < e and s < m.end for s, e in case["spans"]):
                unmarked += 1
                if len(unmarked_examples) < 30:
                    unmarked_examples.append(f"{m.surface} -> {items[m.item_id].display_title}")
                continue
            found.append(m.item_id)
        predicted += len(found)
        gold_total += len(case["gold"])
        control_links += len(found) if not case["gold"] else 0
        left = {
            "strict": Counter(case["gold"]),
            "title": Counter(normalise(items[g].title) for g in case["gold"]),
        }
        for id_ in found:
            for level, key in (("strict", id_), ("title", normalise(items[id_].title))):
                if left[level][key] > 0:
                    left[level][key] -= 1
                    hits[level] += 1
        if len(errors) < 40 and Counter(found) != Counter(case["gold"]):
            errors.append(
                {
                    "text": case["text"],
                    "gold": [items[g].display_title for g in case["gold"]],
                    "found": [items[i].display_title for i in found],
                }
            )
    result = {
        "predicted": predicted,
        "gold": gold_total,
        "control_links": control_links,
        "unmarked": unmarked,
    }
    for level, hit in hits.items():
        p = hit / predicted if predicted else 0.0
        r = hit / gold_total if gold_total else 0.0
        result[level] = {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "precision_all": round(hit / (predicted + unmarked), 4)
            if predicted + unmarked
            else 0.0,
        }
    result["errors"] = errors
    result["unmarked_examples"] = unmarked_examples
    return result


def baseline_linker_class(commit: str):
    """`EntityLinker` as it was at `commit`, loaded as a separate module from a temp file."""
    source = subprocess.run(
        ["git", "show", f"{commit}:retrieval/entity_linker.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / f"entity_linker_{commit}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module.EntityLinker


def run(
    data: str | None, baseline: str, seed: int, lower: float, typo: float, controls: int
) -> dict:
    """Both linkers on the same cases; returns the report."""
    from corpora.paths import data_path
    from retrieval.catalog import load_catalog
    from retrieval.entity_linker import EntityLinker

    redial = data_path(data, "redial")
    catalog = load_catalog(redial / "catalog.json").items
    items = {item.id: item for item in catalog}
    rng = random.Random(seed)
    mentions = mention_cases(redial, items, rng, lower, typo)
    control = control_cases(redial, items, rng, controls)
    report = {
        "settings": {"seed": seed, "lower": lower, "typo": typo, "baseline": baseline},
        "cases": {"mention_sentences": len(mentions), "control_sentences": len(control)},
        "linkers": {},
    }
    for name, cls in (("today", baseline_linker_class(baseline)), ("new", EntityLinker)):
        linker = cls(catalog)
        scores = score(linker, items, mentions + control)
        scores["control_only"] = score(linker, items, control)["predicted"]
        report["linkers"][name] = scores
    return report


def table(report: dict) -> str:
    lines = [
        (
            f"{'linker':8} {'P strict':>9} {'R strict':>9} {'F1':>6} {'P title':>8} "
            f"{'R title':>8} {'P all':>6} {'unmarked':>8} {'links in controls':>18}"
        )
    ]
    for name, s in report["linkers"].items():
        st, ti = s["strict"], s["title"]
        lines.append(
            f"{name:8} {st['precision']:9.3f} {st['recall']:9.3f} {st['f1']:6.3f} "
            f"{ti['precision']:8.3f} {ti['recall']:8.3f} {st['precision_all']:6.3f} "
            f"{s['unmarked']:8} "
            f"{s['control_only']:>10} / {report['cases']['control_sentences']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="data root holding redial/")
    parser.add_argument("--out", default="reports/linking.json")
    parser.add_argument("--baseline", default="4ae38e3", help="commit of today's linker")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lower", type=float, default=0.4)
    parser.add_argument("--typo", type=float, default=0.15)
    parser.add_argument("--controls", type=int, default=200)
    args = parser.parse_args(argv)
    report = run(args.data, args.baseline, args.seed, args.lower, args.typo, args.controls)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(table(report))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
