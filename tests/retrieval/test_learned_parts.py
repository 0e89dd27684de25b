"""The learned parts of retrieval: the dialogue encoder (a second vector space, new items included
at once) and the learned ranker (replaces the weighted sum, refuses a model it cannot trust)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import pytest

from retrieval.context import RetrievalContext
from retrieval.dialogue_encoder import VECTORS_FILE, DialogueEncoder, dialogue_text
from retrieval.learned_ranker import LearnedScorer
from retrieval.pipeline import RecommendationPipeline
from retrieval.ranker import Ranker, RankWeights
from retrieval.retriever import Retriever
from retrieval.schema import Item, ItemFilter, RetrievalQuery
from retrieval.signals import FEATURES, SIGNALS, UnknownSignal


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory):
    """A sentence-transformers folder standing in for a trained encoder (the base MiniLM)."""
    from retrieval.embedder import default_embedding_model

    path = tmp_path_factory.mktemp("enc") / "dialogue-encoder"
    shutil.copytree(default_embedding_model(), path)
    return path


def test_dialogue_text_puts_the_latest_utterance_first():
    assert dialogue_text(["hi", "what do you like?", "  space   horror "]) == (
        "space horror | what do you like? | hi"
    )


def test_encoder_retrieves_from_the_dialogue_and_reaches_new_items_at_once(
    index, encoder_dir, tmp_path
):
    path = tmp_path / "enc"
    shutil.copytree(encoder_dir, path)
    encoder = DialogueEncoder(path, index)
    talk = ["I want a movie about a clownfish father searching the ocean for his lost son"]
    found = encoder.search(talk, 5)
    assert found[0][1] >= found[-1][1]
    assert "Finding Nemo" in [index.items()[i].title for i, _ in found]
    assert (path / VECTORS_FILE).is_file()  # restarts do not re-embed the catalog

    new = Item(
        id="new-1",
        title="Glaciers of Venus",
        year=2031,
        genres=["sci-fi"],
        text="Ice miners on Venus find a frozen alien city under the glaciers.",
    )
    index.add([new], progress=False)
    found = encoder.search(["miners find a frozen alien city under the ice of Venus"], 3)
    assert found[0][0] == "new-1"
    # a changed text is what the item is found by; a deleted item is found no more
    index.add(
        [new.model_copy(update={"text": "A submarine crew hunts a sea monster."})], progress=False
    )
    found = encoder.search(["a submarine crew hunting a sea monster"], 3)
    assert found[0][0] == "new-1"
    index.delete(["new-1"])
    assert "new-1" not in [i for i, _ in encoder.search(["a submarine crew, a sea monster"], 20)]
    index.add([new], progress=False)

    pipeline = RecommendationPipeline(Ranker(RetrievalContext.of(index, dialogue_encoder=encoder)))
    query = RetrievalQuery(dialogue=["miners find a frozen alien city under the ice of Venus"], k=3)
    ranked = pipeline.recommend(query).candidates
    assert "new-1" in [c.item.id for c in ranked]


class _PopularityModel:
    """Stands in for fitted trees: probability grows with the popularity feature only."""

    def predict_proba(self, matrix):
        import numpy as np

        p = 1 / (1 + np.exp(-10 * (matrix[:, FEATURES.index("popularity")] - 0.5)))
        return np.stack([1 - p, p], axis=1)


def test_a_learned_ranker_replaces_the_weighted_sum(index):
    by_title = {it.title: it.id for it in index.items().values()}
    alien = by_title["Alien"]
    query = RetrievalQuery(positive_ids=[alien], filter=ItemFilter(exclude_ids=[alien]), k=5)
    similar_only = RankWeights(**{f: 0.0 for f in vars(RankWeights())} | {"seed_similarity": 1.0})
    context = RetrievalContext.of(index)
    plain = Ranker(context, weights=similar_only)
    learned = Ranker(context, weights=similar_only, learned=LearnedScorer(_PopularityModel()))
    candidates = Retriever(context).retrieve(query, pool=100)
    by_similarity = [c.item.id for c in plain.rank(query, candidates)]
    by_model = learned.rank(query, candidates)
    assert by_similarity != [c.item.id for c in by_model]
    popularity = [c.item.popularity for c in by_model]
    assert popularity == sorted(popularity, reverse=True)


def test_learned_ranker_round_trips_and_refuses_a_foreign_model(tmp_path):
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.random((400, len(FEATURES))).astype("float32")
    model = HistGradientBoostingClassifier(max_iter=5).fit(x, x[:, 2] > 0.5)
    LearnedScorer(model, dialogue_weight=2.0).save(tmp_path / "ranker", {"turns": 0})
    loaded = LearnedScorer.load(tmp_path / "ranker")
    signals = [dict(zip(FEATURES, row, strict=True)) | {"dialogue": 0.5} for row in x[:3].tolist()]
    assert loaded.dialogue_weight == 2.0
    assert np.allclose(loaded.score(signals), LearnedScorer(model, 2.0).score(signals))

    meta = json.loads((tmp_path / "ranker" / "meta.json").read_text())
    (tmp_path / "ranker" / "meta.json").write_text(json.dumps(meta | {"sklearn": "0.1"}))
    assert LearnedScorer.load(tmp_path / "ranker") is None  # weighted sum instead, with a warning
    assert LearnedScorer.load(tmp_path / "nothing") is None


@dataclass
class _Misspelt(RankWeights):
    popularty: float = 0.5  # a typo that used to weigh nothing, silently


def test_signal_names_are_defined_once_and_a_misspelt_one_fails(index):
    context = RetrievalContext.of(index)
    query = RetrievalQuery(text="space horror", k=5)
    candidates = Retriever(context).retrieve(query, pool=20)
    assert set(Ranker(context).signals(query, candidates)[0]) == set(SIGNALS)
    assert {f for f in vars(RankWeights())} - {"rerank"} <= set(SIGNALS)
    with pytest.raises(UnknownSignal):
        Ranker(context, weights=_Misspelt())
    with pytest.raises(KeyError):  # the trees never read a missing signal as 0
        LearnedScorer(_PopularityModel()).score([{"similarity": 1.0, "dialogue": 0.0}])
