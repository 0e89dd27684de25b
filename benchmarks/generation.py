"""Reply generation on ReDial test (the conversation task of CRS benchmarks), side by side:

- finetuned: the reply generator `convrec train-generator` wrote (<db>/models/generator),
- base: SmolLM2-135M-Instruct prompted with exactly the same input,
- today: the writer before it (the base model's one interjection + templated lead + the list),
- human: the human recommender's reply (reference row for Distinct).

The gold recommended items of each turn are the items to present. For each system: share of
replies naming at least one given item, naming an item not given (before and after the check),
naming a person not in the items' people; Distinct-2/3/4 in two definitions; BLEU against the
human reply; perplexity of the human replies under the base and the fine-tuned model; the
check's counts. The non-recommending turns (asking for preferences, acknowledging, saying
goodbye) are scored the same way on the recommender utterances of ReDial test that name no movie.
Then latency in the agent, end to end over the ReDial index in --db: time to the cards, to the
first checked sentence and to the whole reply, p50/p95; with --baseline-generator, the same
turns through a second agent whose generator is that folder with no prompt-prefix cache (the
writer before the latency work), interleaved turn by turn so that both see the same machine.

    nice -n 10 .venv/bin/python benchmarks/generation.py --db /tmp/gen-db --turns 150 \
        --latency 30 --baseline-generator /path/to/float32/generator --out /tmp/gen-bench.json
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import time
from collections import Counter
from pathlib import Path

from agent.generation_prompt import AGENT, USER, GenerationInput
from agent.llm.base import ChatMessage, LanguageModel
from agent.schema import DialogueState, Recommendation
from agent.writer import GroundingCounts, Writer, lead
from retrieval.entity_linker import EntityLinker, normalise
from retrieval.schema import Item

_TOKEN = re.compile(r"\w+|[^\w\s]")
_PAREN_YEAR = re.compile(r"\(\s*((?:19|20)\d\d)\s*\)")


# -- metrics: pure functions -------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-cased words and punctuation marks."""
    return _TOKEN.findall(text.lower())


def ngrams(tokens: list, n: int) -> list[tuple]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def distinct_ratio(replies: list[str], n: int) -> float:
    """Distinct n-grams over all n-grams of all replies (Li et al. 2016)."""
    grams = [g for r in replies for g in ngrams(words(r), n)]
    return len(set(grams)) / len(grams) if grams else 0.0


def distinct_per_reply(replies: list[str], n: int, chars: bool = False) -> float:
    """Distinct n-grams of all replies divided by the number of replies: CRSLab's `dist@n`
    (crslab/evaluator/standard.py), which UniCRS reports. CRSLab hands nltk the reply
    *string*, so its n-grams are of characters: `chars=True` reproduces that; False counts
    whitespace-separated words."""
    grams = {g for r in replies for g in ngrams(list(r) if chars else r.split(), n)}
    return len(grams) / len(replies) if replies else 0.0


def bleu(hypothesis: str, reference: str, weights: tuple[float, ...]) -> float:
    """Sentence BLEU on whitespace tokens, one reference, no smoothing (nltk's default).
    weights (0, 1): CRSLab's bleu@2 (bigram precision alone); (0.5, 0.5): cumulative BLEU-2."""
    hyp, ref = hypothesis.split(), reference.split()
    if not hyp:
        return 0.0
    score = 0.0
    for n, weight in enumerate(weights, 1):
        if not weight:
            continue
        h, r = Counter(ngrams(hyp, n)), Counter(ngrams(ref, n))
        matched, total = sum((h & r).values()), sum(h.values())
        if not matched or not total:
            return 0.0
        score += weight * math.log(matched / total)
    brevity = 1.0 if len(hyp) > len(ref) else math.exp(1 - len(ref) / len(hyp))
    return brevity * math.exp(score)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def grounding(text: str, items: list[Item], linker: EntityLinker, liked: list[Item]) -> dict:
    """Which titles and people a text names, against the items given. Titles of the items the
    user liked (in the prompt's state line) count as given; their people do not."""
    keys = {normalise(k) for item in items + liked for k in (item.title, item.display_title)}
    ids = {item.id for item in items + liked}
    given, other, spans = False, [], []
    for mention in linker.find_titles(text):
        if mention.item_id in ids or normalise(mention.surface) in keys:
            given = True
        else:
            other.append(mention.surface)
        spans.append((mention.start, mention.end))
    for year in _PAREN_YEAR.finditer(text):  # "Invented Title (2015)" links to nothing
        before = text[: year.start()].rstrip()
        if not any(s <= year.start() < e or e == len(before) for s, e in spans):
            other.append(year.group(0))
    people = {normalise(n) for item in items for names in item.people.values() for n in names}
    strangers = [p for p in linker.find_people(text) if normalise(p) not in people]
    return {"given": given, "other": other, "strangers": strangers}


# -- inputs --------------------------------------------------------------------------------------


def test_turns(redial_dir: Path, count: int, seed: int) -> list[dict]:
    """`count` recommender turns of ReDial test, sampled with `seed`, with the human reply."""
    from corpora.redial import catalog_ids_by_name

    ids = catalog_ids_by_name(redial_dir)
    squash = " ".join
    rows = []
    with (redial_dir / "test_rec_turns.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            targets = [ids[squash(r.split())] for r in row["rec"] if squash(r.split()) in ids]
            context = [u for u in row["context"] if u.strip()]
            if targets and context and row["resp"].strip():
                rows.append(
                    {
                        "dialogue_id": str(row["dialog_id"]),
                        "turn_id": int(row["turn_id"]),
                        "context": context,
                        "resp": re.sub(r"\s+([.,!?])", r"\1", squash(row["resp"].split())),
                        "targets": list(dict.fromkeys(targets)),
                        "mentioned": [
                            ids[squash(e.split())]
                            for e in row["entity"]
                            if squash(e.split()) in ids
                        ],
                    }
                )
    return random.Random(seed).sample(rows, min(count, len(rows)))


def generation_input(turn: dict, items: dict[str, Item], names: dict[str, str]) -> GenerationInput:
    """The same input the writer builds at run time, from a test turn."""
    from corpora.iard_redial import linked_items
    from finetune.generator.dataset import genres_in

    context = turn["context"]
    dialogue = [
        (USER if (len(context) - 1 - k) % 2 == 0 else AGENT, u) for k, u in enumerate(context)
    ]
    user_texts = [text for speaker, text in dialogue if speaker == USER]
    liked = list(dict.fromkeys(i for t in user_texts for i in linked_items(t, names)))
    new = set(turn["targets"]) - set(turn["mentioned"])
    turn["liked"] = [i for i in liked if i in items]  # may be named again: "since you loved X"
    return GenerationInput(
        dialogue=dialogue,
        act="recommend" if new else "discuss",
        items=[items[i] for i in turn["targets"] if i in items],
        liked=[items[i].display_title for i in liked if i in items],
        genres=genres_in(user_texts),
    )


class _Replay(LanguageModel):
    """Generates the writer's first call in full and records it (the text before the check);
    the second try goes to the model as in the agent."""

    def __init__(self, model: LanguageModel) -> None:
        self.model = model
        self.raw: str | None = None
        self.seconds = 0.0

    def stream(self, messages: list[ChatMessage], max_tokens: int = 64, stop=None):
        started = time.perf_counter()
        text = self.model.generate(messages, max_tokens=max_tokens, stop=stop)
        self.seconds += time.perf_counter() - started
        if self.raw is None:
            self.raw = text
        yield text

    def resample(self, messages, max_tokens=64, stop=None, seed=0):
        return self.model.resample(messages, max_tokens=max_tokens, stop=stop, seed=seed)


# -- systems -------------------------------------------------------------------------------------


def run_generator(model, turns, inputs, items, linker) -> list[dict]:
    """The generator's reply to each input: raw, checked, counts, seconds."""
    from tqdm.auto import tqdm

    out = []
    for k, inp in enumerate(tqdm(inputs, desc=f"generate {model.name}")):
        replay = _Replay(model)
        liked = [items[i] for i in turns[k]["liked"]]
        writer = Writer(replay, linker, generator=True)
        drafts = list(writer.stream_reply(inp, inp.genres, liked, seed=k))
        out.append(
            {
                "raw": (replay.raw or "").strip(),
                "shown": drafts[-1].text,
                "counts": drafts[-1].counts,
                "seconds": replay.seconds,
            }
        )
    return out


def run_today(model, turns, inputs, linker) -> list[dict]:
    """Today's writer: the checked interjection, the templated lead, the list of items."""
    from tqdm.auto import tqdm

    out = []
    for turn, inp in tqdm(list(zip(turns, inputs, strict=True)), desc="generate today"):
        recs = [
            Recommendation(id=i.id, title=i.title, year=i.year, score=1.0, reason="")
            for i in inp.items
        ]
        replay = _Replay(model)
        writer = Writer(replay, linker)
        drafts = list(writer.stream_intro(turn["context"][-1], recs))
        liked = turn["liked"]
        state = DialogueState(liked_items=liked, required_genres=inp.genres)
        titles = {i: linker.item(i).display_title for i in liked}
        opening = writer.finish_intro(
            drafts[-1] if drafts else None, recs, lead(state, titles, len(recs))
        )
        listed = "\n".join(
            f"{n}. {r.title}{f' ({r.year})' if r.year else ''}" for n, r in enumerate(recs, 1)
        )
        raw_opening = f"{(replay.raw or '').strip()} {lead(state, titles, len(recs))}"
        out.append(
            {
                "raw": f"{raw_opening}\n{listed}",
                "shown": f"{opening}\n{listed}",
                "counts": None,
                "seconds": replay.seconds,
            }
        )
    return out


def perplexity(model_path: Path, turns, inputs) -> float:
    """exp(mean negative log-likelihood) of the human replies' tokens (and their end marker)
    given the generator's prompt."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from finetune.generator.dataset import Example
    from finetune.generator.trainer import collate, encode, reply_loss

    tokenizer = AutoTokenizer.from_pretrained(model_path, local_files_only=True)
    # float32 whatever the export dtype: the same arithmetic for the base and the fine-tuned model
    model = AutoModelForCausalLM.from_pretrained(model_path, local_files_only=True).float().eval()
    nll, tokens = 0.0, 0
    with torch.inference_mode():
        for turn, inp in zip(turns, inputs, strict=True):
            encoded = encode(
                tokenizer, Example(turn["dialogue_id"], "test", inp, turn["resp"]), 4096
            )
            n = sum(1 for label in encoded.labels if label != -100)
            nll += reply_loss(model, collate([encoded], 0)).item() * n
            tokens += n
    return math.exp(nll / tokens)


def summarise(name: str, results: list[dict], turns, inputs, items, linker) -> dict:
    liked = [[items[i] for i in t["liked"]] for t in turns]
    rows = list(zip(results, inputs, liked, strict=True))
    before = [grounding(r["raw"], inp.items, linker, lk) for r, inp, lk in rows]
    after = [grounding(r["shown"], inp.items, linker, lk) for r, inp, lk in rows]
    shown = [r["shown"] for r in results]
    humans = [t["resp"] for t in turns]
    n = len(results)
    summary = {
        "system": name,
        "replies": n,
        "names_a_given_item": sum(g["given"] for g in after) / n,
        "names_an_item_not_given_before_check": sum(bool(g["other"]) for g in before) / n,
        "names_an_item_not_given_after_check": sum(bool(g["other"]) for g in after) / n,
        "names_a_person_not_in_items_before_check": sum(bool(g["strangers"]) for g in before) / n,
        "names_a_person_not_in_items_after_check": sum(bool(g["strangers"]) for g in after) / n,
        "empty_after_check": sum(not s.strip() for s in shown) / n,
        "mean_words": statistics.mean(len(s.split()) for s in shown),
        "bleu2_crslab": statistics.mean(
            bleu(s, h, (0, 1)) for s, h in zip(shown, humans, strict=True)
        ),
        "bleu2_cumulative": statistics.mean(
            bleu(s, h, (0.5, 0.5)) for s, h in zip(shown, humans, strict=True)
        ),
        "generation_seconds_p50": percentile([r["seconds"] for r in results], 0.5),
    }
    for k in (2, 3, 4):
        summary[f"distinct{k}_ratio"] = distinct_ratio(shown, k)
        summary[f"distinct{k}_per_reply_words"] = distinct_per_reply(shown, k)
        summary[f"distinct{k}_per_reply_chars_crslab"] = distinct_per_reply(shown, k, chars=True)
    counts = [r["counts"] for r in results if r["counts"] is not None]
    if counts:
        total = GroundingCounts()
        for c in counts:
            for field in ("sentences", "passed", "retried", "retry_passed", "dropped"):
                setattr(total, field, getattr(total, field) + getattr(c, field))
            total.faults.update(c.faults)
        summary["check"] = {
            "sentences": total.sentences,
            "passed_first_time": total.passed,
            "failed_and_resampled": total.retried,
            "resample_passed": total.retry_passed,
            "dropped": total.dropped,
            "faults": dict(total.faults),
            "replies_with_a_retry": sum(c.retried > 0 for c in counts) / n,
            "replies_falling_back_to_template": sum(not s.strip() for s in shown) / n,
        }
    return summary


def human_row(turns) -> dict:
    humans = [t["resp"] for t in turns]
    row = {"system": "human", "replies": len(humans)}
    for k in (2, 3, 4):
        row[f"distinct{k}_ratio"] = distinct_ratio(humans, k)
        row[f"distinct{k}_per_reply_words"] = distinct_per_reply(humans, k)
        row[f"distinct{k}_per_reply_chars_crslab"] = distinct_per_reply(humans, k, chars=True)
    row["mean_words"] = statistics.mean(len(h.split()) for h in humans)
    return row


# -- non-recommending turns ---------------------------------------------------------------------


def other_turns(redial_dir: Path, count: int, seed: int) -> list[dict]:
    """`count` recommender utterances of ReDial test that name no movie (asking, acknowledging,
    saying goodbye), with the dialogue before them, sampled with `seed`."""
    from finetune.generator.dataset import _Turn, act_of

    seen, rows = set(), []
    with (redial_dir / "test_rec_turns.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            context = row["context"]
            for k in range(len(context) - 2, 0, -2):  # the recommender's, back from the end
                text, key = " ".join(context[k].split()), (row["dialog_id"], k)
                if key in seen or not text or _PAREN_YEAR.search(text):
                    continue
                seen.add(key)
                before = [u for u in context[:k] if u.strip()]
                act = act_of(_Turn(agent=True, text=text, items=[]), set())
                rows.append({"context": before, "resp": text, "act": act, "liked": []})
    return random.Random(seed).sample(rows, min(count, len(rows)))


def other_inputs(turns: list[dict]) -> list[GenerationInput]:
    from finetune.generator.dataset import genres_in

    inputs = []
    for turn in turns:
        n = len(turn["context"])
        dialogue = [
            (USER if (n - 1 - k) % 2 == 0 else AGENT, u) for k, u in enumerate(turn["context"])
        ]
        users = [u for speaker, u in dialogue if speaker == USER]
        inputs.append(GenerationInput(dialogue, act=turn["act"], genres=genres_in(users)))
    return inputs


def summarise_other(name: str, results: list[dict], turns, linker) -> dict:
    """Non-recommending turns: no item is given, so any title or person named is not given."""
    shown, humans = [r["shown"] for r in results], [t["resp"] for t in turns]
    named = [grounding(r["raw"], [], linker, []) for r in results]
    named_after = [grounding(s, [], linker, []) for s in shown]
    n = len(results)
    row = {
        "system": name,
        "replies": n,
        "by_act": dict(Counter(t["act"] for t in turns)),
        "names_a_title_before_check": sum(bool(g["other"]) for g in named) / n,
        "names_a_title_after_check": sum(bool(g["other"]) for g in named_after) / n,
        "names_a_person_before_check": sum(bool(g["strangers"]) for g in named) / n,
        "names_a_person_after_check": sum(bool(g["strangers"]) for g in named_after) / n,
        "template_after_check": sum(not s.strip() for s in shown) / n,
        "asks_when_asked_to": _share(
            ["?" in s for s, t in zip(shown, turns, strict=True) if t["act"] == "ask"]
        ),
        "mean_words": statistics.mean(len(s.split()) for s in shown),
        "bleu2_crslab": statistics.mean(
            bleu(s, h, (0, 1)) for s, h in zip(shown, humans, strict=True)
        ),
    }
    for k in (2, 3, 4):
        row[f"distinct{k}_ratio"] = distinct_ratio(shown, k)
        row[f"distinct{k}_per_reply_words"] = distinct_per_reply(shown, k)
    return row


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


# -- latency in the agent ------------------------------------------------------------------------


def _timed_turn(agent, session: str, message: str) -> dict | None:
    """One message in a fresh session: seconds to the cards, the first checked sentence and
    the whole reply (None for a turn that shows no cards)."""
    started, seen_cards, seen_text, final = time.perf_counter(), None, None, None
    for final in agent.reply_stream(session, message):
        now = time.perf_counter() - started
        if seen_cards is None and final.items:
            seen_cards = now
        if seen_cards is not None and seen_text is None and final.timings_ms.get("first_sentence"):
            seen_text = now
    if final is None or final.action != "recommend" or seen_cards is None:
        return None
    total = time.perf_counter() - started
    first = (seen_text if seen_text is not None else total) - seen_cards
    return {"cards": seen_cards, "first": first, "full": total - seen_cards}


def latency(db: Path, turns: list[dict], agents: dict) -> list[dict]:
    """Cards, first checked sentence and whole reply, timed from the message, over recommending
    turns (one fresh session per message: the user's last words of a test turn). The agents
    take turns message by message, in alternating order, so they share the machine's state."""
    times: dict[str, list[dict]] = {name: [] for name in agents}
    for k, turn in enumerate(turns):
        order = list(agents) if k % 2 == 0 else list(agents)[::-1]
        for name in order:
            timed = _timed_turn(
                agents[name], f"bench-{name}-{k}-{time.time_ns()}", turn["context"][-1]
            )
            if timed is not None:
                times[name].append(timed)
    rows = []
    for name, timed in times.items():
        cards, first, full = ([t[key] for t in timed] for key in ("cards", "first", "full"))
        rows.append(
            {
                "writer": name,
                "recommending_turns": len(timed),
                "cards_s_p50": percentile(cards, 0.5),
                "cards_s_p95": percentile(cards, 0.95),
                "first_checked_sentence_after_cards_s_p50": percentile(first, 0.5),
                "first_checked_sentence_after_cards_s_p95": percentile(first, 0.95),
                "full_reply_after_cards_s_p50": percentile(full, 0.5),
                "full_reply_after_cards_s_p95": percentile(full, 0.95),
            }
        )
    return rows


def latency_agents(db: Path, generator: Path, baseline: Path | None) -> dict:
    """The agents timed: the generator folder measured above, built as the agent builds it by
    default, its baseline (float32 folder, no prefix cache) when given, and the base model's
    interjection."""
    from agent import Settings, build_agent
    from agent.llm.transformers_model import TransformersModel

    settings = Settings(db=db, writer="generator", generator_path=generator)
    agents = {"generator": build_agent(settings)}
    if baseline is not None:
        before = TransformersModel(baseline, repetition_penalty=1.0, reuse_prefix=False)
        agents["generator_before"] = build_agent(Settings(db=db, writer="generator"), llm=before)
    agents["interjection"] = build_agent(Settings(db=db, writer="interjection"))
    for agent in agents.values():
        agent.warm_up()
    return agents


# -- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="index + models/generator")
    parser.add_argument("--data", type=Path, help="data folder (default: $CONVREC_DATA)")
    parser.add_argument("--generator", type=Path, help="default: <db>/models/generator")
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--latency", type=int, default=30, help="agent turns timed per writer")
    parser.add_argument(
        "--baseline-generator",
        type=Path,
        help="a generator folder timed beside the default one, without the prefix cache "
        "(e.g. the float32 export from before the latency work)",
    )
    parser.add_argument(
        "--other-turns", type=int, default=60, help="non-recommending turns scored (0: none)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/gen-bench.json"))
    args = parser.parse_args()

    from agent.llm.local_model import ensure_default_llm
    from agent.llm.transformers_model import TransformersModel
    from corpora.paths import data_path
    from corpora.redial import catalog_ids_by_name
    from finetune.generator.dataset import load_items

    redial = data_path(args.data, "redial")
    generator = args.generator or args.db / "models" / "generator"
    base = ensure_default_llm(args.db / "models")
    items = load_items(redial)
    linker = EntityLinker(list(items.values()))
    turns = test_turns(redial, args.turns, args.seed)
    names = catalog_ids_by_name(redial)
    inputs = [generation_input(t, items, names) for t in turns]
    report: dict = {"split": "ReDial test", "turns": len(turns), "seed": args.seed}

    def save() -> None:
        args.out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")

    # Greedy, no repetition penalty for both generators: titles are copied from the prompt.
    finetuned = TransformersModel(generator, repetition_penalty=1.0)
    prompted = TransformersModel(base, repetition_penalty=1.0)
    results = {
        "finetuned": run_generator(finetuned, turns, inputs, items, linker),
        "base": run_generator(prompted, turns, inputs, items, linker),
        "today": run_today(TransformersModel(base), turns, inputs, linker),
    }
    report["systems"] = [summarise(n, r, turns, inputs, items, linker) for n, r in results.items()]
    report["systems"].append(human_row(turns))
    save()
    report["perplexity_of_human_replies"] = {
        "base": perplexity(base, turns, inputs),
        "finetuned": perplexity(generator, turns, inputs),
    }
    report["samples"] = [
        {
            "user": t["context"][-1],
            "items": [i.display_title for i in inp.items],
            "human": t["resp"],
            **{f"{n}_raw": r[k]["raw"] for n, r in results.items() if n != "today"},
            **{n: r[k]["shown"] for n, r in results.items()},
        }
        for k, (t, inp) in enumerate(zip(turns, inputs, strict=True))
    ]
    save()
    if args.other_turns:
        others = other_turns(redial, args.other_turns, args.seed)
        other_in = other_inputs(others)
        written = {
            name: run_generator(model, others, other_in, items, linker)
            for name, model in (("finetuned", finetuned), ("base", prompted))
        }
        report["non_recommending"] = [
            summarise_other(name, results, others, linker) for name, results in written.items()
        ]
        report["non_recommending_samples"] = [
            {
                "act": t["act"],
                "user": t["context"][-1] if t["context"] else "",
                "human": t["resp"],
                **{n: r[k]["shown"] for n, r in written.items()},
            }
            for k, t in enumerate(others)
        ]
        save()
    if args.latency:
        agents = latency_agents(args.db, generator, args.baseline_generator)
        report["latency"] = latency(args.db, turns[: args.latency], agents)
    save()
    print(json.dumps({k: v for k, v in report.items() if k != "samples"}, indent=2, default=str))
    print(f"report: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
