"""The BERT cross-encoder that re-scores (user profile, item text) pairs.

It is trained by `finetune/` from the MiniLM backbone (no pretrained cross-encoder ships
offline); until a trained model folder exists the ranker runs without it.
"""

from __future__ import annotations

from pathlib import Path

from retrieval.schema import Item


class CrossEncoderReranker:
    def __init__(self, model_path: Path, max_length: int = 256, batch_size: int = 32) -> None:
        self.model_path = Path(model_path)
        if not (self.model_path / "config.json").is_file():
            raise FileNotFoundError(f"reranker folder has no config.json: {self.model_path}")
        self.max_length = max_length
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            from sentence_transformers import CrossEncoder

            from retrieval._threads import use_all_cores

            use_all_cores()
            self._model = CrossEncoder(
                str(self.model_path),
                device="cpu",
                max_length=self.max_length,
                local_files_only=True,
            )
        return self._model

    def score(self, query: str, items: list[Item]) -> list[float]:
        """One relevance logit per item; higher is more relevant."""
        pairs = [(query, item.document()) for item in items]
        scores = self.model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False)
        return [float(s) for s in scores]
