"""Turns settings into parts, and parts into an `Agent`. The only place that chooses backends."""

from __future__ import annotations

import logging

from agent.agent import Agent
from agent.domain import profile_of
from agent.intent.rules import RuleIntentModel
from agent.llm.base import LanguageModel
from agent.session_store import SessionBackend, SessionStore
from agent.settings import Settings
from agent.state import StateTracker
from agent.writer import Writer
from retrieval.collaborative import FILE_NAME as COOCCURRENCE_FILE
from retrieval.collaborative import CoOccurrence
from retrieval.context import RetrievalContext
from retrieval.dialogue_encoder import DIR_NAME as DIALOGUE_ENCODER_DIR
from retrieval.dialogue_encoder import DialogueEncoder
from retrieval.embedder import Embedder
from retrieval.entity_linker import EntityLinker
from retrieval.index import ItemIndex
from retrieval.learned_ranker import DIR_NAME as RANKER_DIR
from retrieval.learned_ranker import LearnedScorer
from retrieval.pipeline import RecommendationPipeline
from retrieval.ranker import Ranker, RankWeights
from retrieval.reranker import CrossEncoderReranker

log = logging.getLogger(__name__)


class IndexMissing(RuntimeError):
    """No catalog has been indexed in the chosen folder yet."""


def build_llm(settings: Settings) -> LanguageModel | None:
    if settings.llm == "none":
        return None
    if settings.llm == "openai":
        from agent.llm.breaker import CircuitBreaker
        from agent.llm.openai_model import OpenAICompatibleModel

        if not settings.openai_base_url or not settings.openai_model:
            raise ValueError(
                "llm=openai needs CONVREC_OPENAI_BASE_URL and CONVREC_OPENAI_MODEL "
                "(or --llm-url and --llm-model)"
            )
        # One breaker per backend, shared by all sessions: a dead server is skipped for all.
        breaker = CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_cooldown)
        return OpenAICompatibleModel(
            settings.openai_base_url,
            settings.openai_model,
            settings.openai_api_key,
            settings.llm_timeout,
            deadline=settings.llm_deadline,
            breaker=breaker,
        )
    from agent.llm.local_model import ensure_default_llm
    from agent.llm.transformers_model import TransformersModel

    if uses_generator(settings) and settings.llm_path is None:
        # Titles are copied from the prompt: a repetition penalty would push the model off them.
        return TransformersModel(settings.generator_dir, repetition_penalty=1.0)
    return TransformersModel(settings.llm_path or ensure_default_llm(settings.models_dir))


def _base_llm(settings: Settings) -> LanguageModel | None:
    """The instruct model the generator was fine-tuned from (in-process only)."""
    if settings.llm != "transformers":
        return build_llm(settings)
    from agent.llm.local_model import ensure_default_llm
    from agent.llm.transformers_model import TransformersModel

    return TransformersModel(ensure_default_llm(settings.models_dir))


def uses_generator(settings: Settings) -> bool:
    """Whether the fine-tuned reply generator writes the replies (see `Settings.writer`)."""
    if settings.writer == "interjection":
        return False
    trained = (settings.generator_dir / "config.json").is_file()
    if settings.writer == "generator":
        if not trained and settings.llm == "transformers" and settings.llm_path is None:
            raise FileNotFoundError(
                f"writer=generator but no model in {settings.generator_dir}: "
                "run `convrec train-generator`"
            )
        return True  # a model given another way (llm_path, a server, a test double)
    return trained and settings.llm != "none" and settings.llm_path is None


def build_index(settings: Settings) -> ItemIndex:
    return ItemIndex(
        settings.index_dir, Embedder(settings.embedding_model), chroma_url=settings.chroma_url
    )


def build_reranker(settings: Settings) -> CrossEncoderReranker | None:
    path = settings.reranker_path or settings.models_dir / "reranker"
    # 128 tokens: what `convrec train-reranker` trains with, and twice as fast as 256 on a CPU
    return CrossEncoderReranker(path, max_length=128) if (path / "config.json").is_file() else None


def build_collaborative(settings: Settings) -> CoOccurrence | None:
    """The co-occurrence model `convrec build-cooccurrence` saved beside the index, if any."""
    path = settings.models_dir / COOCCURRENCE_FILE
    return CoOccurrence.load(path) if path.is_file() else None


def build_dialogue_encoder(settings: Settings, index: ItemIndex) -> DialogueEncoder | None:
    """The encoder `convrec train-retriever` fine-tuned, if any."""
    path = settings.models_dir / DIALOGUE_ENCODER_DIR
    return DialogueEncoder(path, index) if (path / "config.json").is_file() else None


def build_context(settings: Settings, index: ItemIndex | None = None) -> RetrievalContext:
    """The catalog, its vectors and the trained retrieval models in `settings.db`, loaded once
    and shared by every part that reads them."""
    index = index or build_index(settings)
    return RetrievalContext.of(
        index, build_collaborative(settings), build_dialogue_encoder(settings, index)
    )


def build_pipeline(
    settings: Settings,
    context: RetrievalContext,
    *,
    reranker: bool = True,
    learned: bool = True,
    weights: RankWeights | None = None,
) -> RecommendationPipeline:
    """The recommendation pipeline over `context`. A variant without the trained cross-encoder
    or learned ranker (what training and the baselines need) is built by switching them off."""
    ranker = Ranker(
        context,
        reranker=build_reranker(settings) if reranker else None,
        weights=weights,
        learned=LearnedScorer.load(settings.models_dir / RANKER_DIR) if learned else None,
    )
    return RecommendationPipeline(ranker, pool=settings.pool, diversity=settings.diversity)


def build_intent_model(settings: Settings, rules: RuleIntentModel, llm: LanguageModel | None):
    """The trained head (in-process or over HTTP) when chosen or present, the prompted LLM when
    chosen, else the rules; a missing head means the rules, with a warning."""
    head = settings.intent_head_dir
    has_head = bool(settings.intent_url) or (head / "config.json").is_file()
    if settings.intent == "head" and not has_head:
        log.warning(
            "intent=head but no trained head in %s: using the rules (run `convrec train-intent`)",
            head,
        )
    if settings.intent in ("head", "auto") and has_head:
        from agent.intent.head import HeadIntentModel, LocalIntentClassifier

        if settings.intent_url:
            from agent.llm.breaker import CircuitBreaker
            from agent.llm.vllm_classifier import HTTPIntentClassifier

            breaker = CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_cooldown)
            return HeadIntentModel(
                HTTPIntentClassifier(
                    settings.intent_url,
                    settings.intent_model,
                    settings.llm_timeout,
                    deadline=settings.intent_deadline,
                    breaker=breaker,
                ),
                rules,
            )
        return HeadIntentModel(LocalIntentClassifier(head), rules)
    if settings.intent == "llm" and llm is not None:
        from agent.intent.llm import LLMIntentModel

        return LLMIntentModel(llm, fallback=rules)
    return rules


def build_session_store(settings: Settings) -> SessionBackend:
    """Where sessions are kept: `settings.sessions` (a postgresql:// URL, shared by several
    worker processes), else the SQLite file `<db>/sessions.sqlite3`.

    Raises:
        ValueError: `sessions` is not a postgresql:// URL.
        SessionStoreUnavailable: the PostgreSQL server cannot be reached or refuses the login.
    """
    if not settings.sessions:  # unset, or set to nothing
        return SessionStore(settings.sessions_path)
    from agent.session_postgres import PostgresSessionStore  # the driver is an optional extra

    return PostgresSessionStore(settings.sessions)


def build_agent(
    settings: Settings,
    llm: LanguageModel | None = None,
    pipeline: RecommendationPipeline | None = None,
    store: SessionBackend | None = None,
) -> Agent:
    """An agent over the index in `settings.db`.

    Args:
        llm: overrides the configured language model.
        pipeline: a pipeline built elsewhere (e.g. over a held-out co-occurrence model).
        store: where sessions are kept; default `build_session_store(settings)`.
    """
    if pipeline is None:
        index = build_index(settings)
        if len(index) == 0:
            raise IndexMissing(
                f"no catalog is indexed in {settings.index_location}: run `convrec index` first"
            )
        pipeline = build_pipeline(settings, build_context(settings, index))
    items = list(pipeline.context.memory.items().values())
    linker = EntityLinker(items)
    profile = profile_of(items, settings.item_noun)
    rules = RuleIntentModel(linker, {g for item in items for g in item.genres}, profile)
    llm = llm if llm is not None else build_llm(settings)
    generator = uses_generator(settings)
    if not generator and settings.writer == "auto" and settings.llm == "transformers":
        log.warning(
            "no fine-tuned reply generator in %s (train one: convrec train-generator); "
            "the base model adds one sentence to templated replies",
            settings.generator_dir,
        )
    return Agent(
        pipeline=pipeline,
        # The generator learnt to write replies, not to propose intents: the prompted path
        # keeps the base model.
        intent_model=build_intent_model(
            settings, rules, _base_llm(settings) if generator and settings.intent == "llm" else llm
        ),
        fallback_intent=rules,
        tracker=StateTracker(),
        writer=Writer(llm, linker, generator=generator),
        store=store or build_session_store(settings),
        linker=linker,
        k=settings.k,
        profile=profile,
    )


class PruneRefused(ValueError):
    """`prune` would delete items the user may have meant to keep."""


def index_catalog(source: str, settings: Settings, progress: bool = True, prune: bool = False):
    """Load a catalog and add it to the index in `settings.db` (incremental).

    Args:
        prune: also delete the indexed items whose id is not in the catalog. Refused (nothing
            changes) when rows were skipped, whose items would be deleted, or none loaded.

    Returns:
        (CatalogLoad, IndexReport): what was read and skipped, and what the index changed.
    """
    from retrieval.catalog import DEMO_CATALOG, load_catalog
    from retrieval.catalog.movielens import movielens_cooccurrence

    load = load_catalog(source)
    if prune and (load.errors or not load.items):
        why = (
            "the items of the skipped rows would be deleted; fix the rows"
            if load.errors
            else "every item would be deleted"
        )
        raise PruneRefused(
            f"{load.summary()}\nnot pruning: {why} (or leave out --prune). Nothing was changed."
        )
    index = build_index(settings)
    report = index.add(load.items, progress=progress)
    if prune:
        keep = {item.id for item in load.items}
        report.deleted = len(index.delete([id_ for id_ in index.ids() if id_ not in keep]))
    if str(source) == DEMO_CATALOG:
        # The demo catalog has ratings: its co-rating model is the collaborative signal.
        movielens_cooccurrence().save(settings.models_dir / COOCCURRENCE_FILE)
    return load, report
