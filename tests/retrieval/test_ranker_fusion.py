"""The ranker fuses the collaborative signal with similarity, and MMR trades accuracy for variety."""

from __future__ import annotations

from retrieval.collaborative import CoOccurrence, DialogueMentions
from retrieval.context import RetrievalContext
from retrieval.pipeline import RecommendationPipeline
from retrieval.ranker import Ranker
from retrieval.schema import ItemFilter, RetrievalQuery


def _pipeline(context, diversity=0.0):
    return RecommendationPipeline(Ranker(context), diversity=diversity)


def _ids(index, *titles):
    by_title = {it.title: it.id for it in index.items().values()}
    return [by_title[t] for t in titles]


def test_movies_named_together_by_other_people_come_first(index):
    alien, notebook = _ids(index, "Alien", "The Notebook")
    # Made-up dialogues in which people who name Alien go on to talk about The Notebook.
    model = CoOccurrence.build([DialogueMentions(f"d{i}", [alien, notebook]) for i in range(5)])
    query = RetrievalQuery(positive_ids=[alien], filter=ItemFilter(exclude_ids=[alien]), k=5)
    plain = _pipeline(RetrievalContext.of(index))
    fused = plain.with_collaborative(model)  # a variant is built; the original is untouched
    assert notebook not in [c.item.id for c in plain.recommend(query).candidates]
    assert fused.recommend(query).candidates[0].item.id == notebook
    assert notebook not in [c.item.id for c in plain.recommend(query).candidates]


def test_diversity_setting_spreads_the_list(index):
    from eval.metrics import intra_list_diversity

    (alien,) = _ids(index, "Alien")
    query = RetrievalQuery(positive_ids=[alien], filter=ItemFilter(exclude_ids=[alien]), k=10)
    context = RetrievalContext.of(index)
    focused = _pipeline(context).recommend(query).candidates
    varied = _pipeline(context, diversity=0.7).recommend(query)
    vectors = lambda cands: index.embeddings([c.item.id for c in cands])
    assert len(varied.candidates) == 10
    assert intra_list_diversity(vectors(varied.candidates)) > intra_list_diversity(vectors(focused))
