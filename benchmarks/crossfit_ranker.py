"""Ranker variants on honest valid folds: every fold scored with a dialogue encoder that never saw it.

    nice -n 10 .venv/bin/python benchmarks/crossfit_ranker.py --db /tmp/a3db --out reports/crossfit.json
    (about 35 min on 2 cores: two encoders, two feature collections; `--max-steps 2 --limit 30` smoke)

`convrec train-ranker` can check the encoder's weight on one fold only (the one
`train-retriever --exclude-fold 4` left out). Here two encoders are trained (same recipe, the
learning rate can be changed), one without valid folds {0,1}, one without {2,3,4}, each in a copy
of `--db`; every fold's candidates and dialogue similarity come from the encoder that did not see
it, so all five folds are held out and the mean of five is far less noisy than fold 4 alone.
Compared (Recall@10/@50, mean over folds): the shipped recipe (trees + w x similarity), the trees
reading the similarity as a feature, and a few tree variants. Valid only, never test. Results are
in eval/README.md ("Tried and not adopted").
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from corpora.paths import data_path
from finetune.ranker_train import TREES, collect, recall

GROUPS = ({0, 1}, {2, 3, 4})  # each encoder is trained without one group and scores that group
WEIGHTS = (0.0, 5.0, 8.0)  # dialogue weights added to the trees' log-odds


def held_out_rows(
    db: Path, redial_dir: Path, learning_rate: float, max_steps: int | None, limit: int | None
) -> list:
    """Feature rows of every valid (and IARD) turn, each from the encoder without its fold."""
    from agent.build import build_dialogue_encoder, build_index
    from agent.settings import Settings
    from finetune.retriever_train import RetrieverArgs, train_retriever, training_pairs
    from retrieval.dialogue_encoder import DIR_NAME

    rows = []
    with tempfile.TemporaryDirectory() as work:
        for group in GROUPS:
            copy = Path(work) / "db"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(db, copy, ignore=shutil.ignore_patterns(DIR_NAME))
            settings = Settings.from_env(db=copy, llm="none")
            index = build_index(settings)
            documents = {i: item.document() for i, item in index.items().items()}
            pairs = [(q, t) for q, t in training_pairs(redial_dir, group) if t in documents]
            args = RetrieverArgs(
                out=settings.models_dir / DIR_NAME,
                base=index.embedder.model_path,
                learning_rate=learning_rate,
                max_steps=max_steps,
            )
            report = train_retriever(pairs, documents, args, progress=False)
            print(
                f"encoder without folds {sorted(group)}: {report['pairs']} pairs, "
                f"{report['steps']} steps, {report['seconds']:.0f}s",
                flush=True,
            )
            build_dialogue_encoder(settings, index).sync()
            rows += [
                r for r in collect(settings, redial_dir, limit, progress=False) if r.fold in group
            ]
    return rows


def _with_position(r):
    return np.hstack([r.features, (np.arange(len(r.hits)) / len(r.hits))[:, None]])


def _with_dialogue_rank(r):
    rank = np.argsort(np.argsort(-r.dialogue)) / max(len(r.dialogue) - 1, 1)
    return np.hstack(
        [
            r.features,
            r.dialogue[:, None],
            1 - rank[:, None],
            (r.dialogue - r.dialogue.max())[:, None],
        ]
    )


# name -> (columns of a row, tree settings, one weight per turn, dialogue weights to add)
VARIANTS = {
    "shipped": (lambda r: r.features, TREES, False, WEIGHTS),
    "dialogue as a feature": (
        lambda r: np.hstack([r.features, r.dialogue[:, None]]),
        TREES,
        False,
        (0.0,),
    ),
    "dialogue, its rank and gap as features": (_with_dialogue_rank, TREES, False, (0.0,)),
    "bigger trees": (
        lambda r: r.features,
        {**TREES, "max_iter": 300, "max_leaf_nodes": 15, "min_samples_leaf": 50},
        False,
        WEIGHTS,
    ),
    "one weight per turn": (lambda r: r.features, TREES, True, WEIGHTS),
    "retrieval position as a feature": (_with_position, TREES, False, WEIGHTS),
    "weighted sum as a feature": (
        lambda r: np.hstack([r.features, r.weighted[:, None]]),
        TREES,
        False,
        WEIGHTS,
    ),
}


def cross_validate(rows: list, columns, trees: dict, per_turn: bool, weights) -> dict[str, tuple]:
    """Mean Recall@10/@50 over the folds, trees fitted on the other folds, per dialogue weight."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    per_fold = []
    for fold in sorted({r.fold for r in rows}):
        train = [r for r in rows if r.fold != fold and r.hits.any()]
        held = [r for r in rows if r.fold == fold and r.scored]
        # per turn: every turn weighs the same, however many candidates it has
        sample = (
            np.concatenate([np.full(len(r.hits), 500.0 / len(r.hits)) for r in train])
            if per_turn
            else None
        )
        model = HistGradientBoostingClassifier(random_state=0, **trees).fit(
            np.vstack([columns(r) for r in train]),
            np.concatenate([r.hits for r in train]),
            sample_weight=sample,
        )
        p = {id(r): model.predict_proba(columns(r))[:, 1].clip(1e-7, 1 - 1e-7) for r in held}
        logit = {k: np.log(v / (1 - v)) for k, v in p.items()}
        per_fold.append(
            {
                w: recall(held, lambda r, w=w, logit=logit: logit[id(r)] + w * r.dialogue)
                for w in weights
            }
        )
    return {
        f"+{w:g} x dialogue": tuple(
            round(float(np.mean([f[w][i] for f in per_fold])), 4) for i in (0, 1)
        )
        for w in weights
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", required=True, help="indexed ReDial db with its co-occurrence model"
    )
    parser.add_argument(
        "--data",
        type=Path,
        help="folder holding redial/ and iard/ (default: $CONVREC_DATA, else ../shared/data)",
    )
    parser.add_argument(
        "--learning-rate", type=float, default=3e-5, help="the encoders' (train-retriever: 3e-5)"
    )
    parser.add_argument("--max-steps", type=int, help="encoder steps (smoke runs)")
    parser.add_argument("--limit", type=int, help="only the first N valid turns (smoke runs)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    rows = held_out_rows(
        Path(args.db),
        data_path(args.data, "redial"),
        args.learning_rate,
        args.max_steps,
        args.limit,
    )
    scored = [r for r in rows if r.scored]
    results = {
        "turns": len(scored),
        "learning_rate": args.learning_rate,
        "targets among the candidates": round(
            sum(int(r.hits.sum()) for r in scored) / max(sum(r.instances for r in scored), 1), 4
        ),
        # the similarity alone, no trees: what the encoder knows by itself
        "dialogue similarity alone": tuple(
            round(float(np.mean(v)), 4)
            for v in zip(
                *[
                    recall([r for r in scored if r.fold == f], lambda r: r.dialogue)
                    for f in sorted({r.fold for r in scored})
                ]
            )
        ),
    }
    for name, (columns, trees, per_turn, weights) in VARIANTS.items():
        results[name] = cross_validate(rows, columns, trees, per_turn, weights)
        print(f"{name:40s}", results[name], flush=True)
    print(json.dumps(results, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
