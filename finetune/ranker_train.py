"""Fit the learned ranker (retrieval/learned_ranker.py) on the ReDial valid split.

    convrec train-ranker --db /tmp/a3db            # trees; dialogue weight tuned on fold 4
    convrec train-ranker --db /tmp/a3db --limit 60  # smoke test

Every valid turn goes through the agent's own query building, retrieval and signal computation,
with the co-occurrence model of its fold (counted without the fold's dialogues), so a training
row never sees its own dialogue's counts. IARD's ReDial train dialogues
(`corpora/iard_redial.py`) add training rows the same way; only valid turns are scored.
Reported: Recall@10/50 of the trees on each held-out fold against the weighted sum, on the same
candidates. The dialogue encoder's weight is tuned on
the fold that encoder was trained without (`convrec train-retriever --exclude-fold`), else the
default is kept. Never reads test.

The trees do not read the encoder's similarity: on the folds it was trained on, that similarity
is over-confident, and trees fitted there would trust it too much. It is added to their log-odds
with one weight, tuned where it is honest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from retrieval.learned_ranker import DIR_NAME, FEATURES, LearnedScorer

DIALOGUE_WEIGHT = 8.0  # tuned on valid fold 4 with an encoder trained on folds 0-3
WEIGHT_GRID = (0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0)
TREES = {
    "max_iter": 100,
    "learning_rate": 0.05,
    "max_leaf_nodes": 7,
    "min_samples_leaf": 100,
    "l2_regularization": 1.0,
}  # small trees: 2.6k turns; bigger ones overfit on valid folds


@dataclass
class TurnRows:
    fold: int
    features: object  # (candidates, len(FEATURES)) float32
    dialogue: object  # (candidates,) dialogue-encoder similarity
    weighted: object  # (candidates,) the weighted-sum score, for comparison
    hits: object  # (candidates,) bool: the candidate is a target of this turn
    instances: int  # targets of the turn (some may be outside the candidates)
    scored: bool = True  # a valid turn; False: extra training material (IARD), never scored


def collect(
    settings, redial_dir: Path, limit: int | None = None, progress: bool = True
) -> list[TurnRows]:
    import numpy as np
    from tqdm.auto import tqdm

    from agent.build import build_context, build_pipeline
    from agent.context_reader import ContextReader
    from corpora.folds import FOLDS, collaborative_models, fold_of
    from corpora.iard_redial import extra_rec_turns
    from corpora.redial import instances, load_turns

    context = build_context(settings)
    pipeline = build_pipeline(settings, context, learned=False)  # features, not scores
    turns = load_turns(redial_dir, "valid", "dedup", limit)
    scored = len(turns)
    turns += [t for t in extra_rec_turns(redial_dir) if instances(t, "dedup")][:limit]
    reader = ContextReader(list(context.memory.items().values()))
    queries = [reader.query(t.context) for t in turns]
    pipeline.prime(queries)
    # one pipeline per fold, each over the co-occurrence model that holds that fold out
    folds = {
        fold: pipeline.with_collaborative(model)
        for fold, model in collaborative_models(redial_dir, "valid").items()
    }
    weights = vars(pipeline.ranker.weights)
    rows = []
    for n, (turn, query) in enumerate(
        tqdm(list(zip(turns, queries, strict=True)), desc="features", disable=not progress)
    ):
        fold = fold_of(turn.dialogue_id, FOLDS)
        candidates = folds[fold].candidates(query)
        signals = folds[fold].ranker.signals(query, candidates)
        targets = set(instances(turn, "dedup"))
        rows.append(
            TurnRows(
                fold=fold,
                features=np.array([[s[f] for f in FEATURES] for s in signals], dtype="float32"),
                dialogue=np.array([s["dialogue"] for s in signals], dtype="float32"),
                # the weighted sum as it was before the learned parts: no dialogue encoder
                weighted=np.array(
                    [
                        sum(weights.get(k, 0.0) * v for k, v in s.items() if k != "dialogue")
                        for s in signals
                    ]
                ),
                hits=np.array([c.item.id in targets for c in candidates], dtype=bool),
                instances=len(targets),
                scored=n < scored,
            )
        )
    return rows


def fit(rows: list[TurnRows]):
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    useful = [
        r for r in rows if r.hits.any()
    ]  # a turn whose targets were not retrieved says nothing
    return HistGradientBoostingClassifier(random_state=0, **TREES).fit(
        np.vstack([r.features for r in useful]), np.concatenate([r.hits for r in useful])
    )


def recall(rows: list[TurnRows], score) -> tuple[float, float]:
    """Recall@10 and @50 over the instances of `rows`, ranking by `score(row)`."""
    import numpy as np

    hits10 = hits50 = total = 0
    for r in rows:
        total += r.instances
        if not r.hits.any():
            continue
        ranks = np.nonzero(r.hits[np.argsort(-score(r), kind="stable")])[0]
        hits10 += int((ranks < 10).sum())
        hits50 += int((ranks < 50).sum())
    return (hits10 / total, hits50 / total) if total else (0.0, 0.0)


def _logit(model, r: TurnRows):
    import numpy as np

    p = model.predict_proba(r.features)[:, 1].clip(1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def train_ranker(
    settings,
    redial_dir: Path,
    limit: int | None = None,
    progress: bool = True,
    dialogue_weight: float | None = None,
) -> dict:
    from agent.build import build_dialogue_encoder, build_index

    started = time.perf_counter()
    rows = collect(settings, redial_dir, limit, progress)
    collected = time.perf_counter() - started
    folds = sorted({r.fold for r in rows})
    report: dict = {
        "turns": sum(r.scored for r in rows),
        "extra_turns": sum(not r.scored for r in rows),
        "feature_seconds": round(collected, 1),
        "folds": {},
    }
    for fold in folds:  # cross-validation by fold: trees vs the weighted sum, same candidates
        held = [r for r in rows if r.fold == fold and r.scored]
        model = fit([r for r in rows if r.fold != fold])
        report["folds"][fold] = {
            "trees": recall(held, lambda r, m=model: _logit(m, r)),
            "weighted_sum": recall(held, lambda r: r.weighted),
            # the ceiling of any ranking: targets that retrieval put among the candidates at all
            "in_candidates": sum(int(r.hits.sum()) for r in held)
            / max(sum(r.instances for r in held), 1),
        }
    encoder = build_dialogue_encoder(settings, build_index(settings))
    held_fold = encoder.meta.get("exclude_fold") if encoder else None
    if dialogue_weight is None and held_fold is not None:
        dialogue_weight, report["dialogue_weight_search"] = _tune_weight(rows, held_fold)
    weight = DIALOGUE_WEIGHT if dialogue_weight is None else dialogue_weight
    scorer = LearnedScorer(fit(rows), weight if encoder else 0.0)
    report["seconds"] = round(time.perf_counter() - started, 1)
    out = settings.models_dir / DIR_NAME
    scorer.save(out, report)
    report["path"] = str(out)
    return report


def _tune_weight(rows: list[TurnRows], fold: int) -> tuple[float, dict]:
    """The dialogue weight that ranks best on a fold neither the trees nor the encoder saw."""
    held = [r for r in rows if r.fold == fold and r.scored]
    model = fit([r for r in rows if r.fold != fold])
    logits = {id(r): _logit(model, r) for r in held}
    search = {w: recall(held, lambda r, w=w: logits[id(r)] + w * r.dialogue) for w in WEIGHT_GRID}
    best = max(search, key=lambda w: search[w][0] + 0.5 * search[w][1])
    return best, {"fold": fold, "recall@10,@50 by weight": {str(w): v for w, v in search.items()}}
