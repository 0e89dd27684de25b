"""A learned fusion of the ranking signals, in place of the hand-tuned weighted sum.

The signals are not independent: co-occurrence with a seed named in fifty dialogues means more
than with one named once, popularity matters most when nothing was named, a shared director
matters only when the seeds agree. Gradient-boosted trees (scikit-learn's histogram GBDT) learn
such interactions from the ReDial validation split: one row per (turn, candidate), label = the
recommender named this candidate, co-occurrence counted without the turn's own dialogues
(`convrec train-ranker`, finetune/ranker_train.py). The output is a log-odds, to which the
dialogue encoder's similarity is added with a weight tuned on dialogues that encoder never saw.

Saved as `<db>/models/ranker/` (`model.pkl` + `meta.json`); a model pickled by another
scikit-learn version is refused with a warning and the weighted sum is used instead.
"""

from __future__ import annotations

import json
import logging
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.signals import FEATURES

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

DIR_NAME = "ranker"


@dataclass
class LearnedScorer:
    model: object  # a fitted sklearn classifier with predict_proba
    dialogue_weight: float = 0.0  # added times the dialogue-encoder similarity
    meta: dict | None = None

    def score(self, signals: list[dict[str, float]]) -> np.ndarray:
        import numpy as np

        matrix = np.array([[s[f] for f in FEATURES] for s in signals], dtype="float32")
        p = self.model.predict_proba(matrix)[:, 1].clip(1e-7, 1 - 1e-7)
        dialogue = np.array([s["dialogue"] for s in signals], dtype="float32")
        return np.log(p / (1 - p)) + self.dialogue_weight * dialogue

    def save(self, folder: Path, report: dict) -> None:
        import sklearn

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.pkl").write_bytes(pickle.dumps(self.model))
        meta = {
            "features": list(FEATURES),
            "dialogue_weight": self.dialogue_weight,
            "sklearn": sklearn.__version__,
            **report,
        }
        (folder / "meta.json").write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, folder: Path) -> LearnedScorer | None:
        """The saved scorer, or None (with a warning) when absent or not loadable here."""
        import sklearn

        folder = Path(folder)
        if not (folder / "model.pkl").is_file():
            return None
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("features") != list(FEATURES) or meta.get("sklearn") != sklearn.__version__:
            log.warning(
                "learned ranker in %s was trained with other features or scikit-learn %s "
                "(here %s): using the weighted sum; rerun `convrec train-ranker`",
                folder,
                meta.get("sklearn"),
                sklearn.__version__,
            )
            return None
        model = pickle.loads((folder / "model.pkl").read_bytes())  # our own file, beside the index
        return cls(model, float(meta.get("dialogue_weight", 0.0)), meta)
