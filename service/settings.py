"""What the HTTP layer itself needs to know; the agent's own settings stay in `agent.settings`."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, SecretStr

MAX_BODY_BYTES = 64 * 1024  # a message is at most 2,000 characters: 64 KiB is generous JSON


class ServiceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr | None = Field(
        default=None,
        description="When set, every /v1 request needs `Authorization: Bearer <key>`; "
        "unset (the default) suits a server bound to 127.0.0.1.",
    )
    max_body_bytes: int = Field(default=MAX_BODY_BYTES, ge=1024, le=16 * 1024 * 1024)

    @classmethod
    def from_env(cls, **overrides) -> ServiceSettings:
        """CONVREC_API_KEY and CONVREC_MAX_BODY_BYTES, overridden by arguments."""
        values: dict = {}
        if os.environ.get("CONVREC_API_KEY"):
            values["api_key"] = os.environ["CONVREC_API_KEY"]
        if os.environ.get("CONVREC_MAX_BODY_BYTES"):
            values["max_body_bytes"] = os.environ["CONVREC_MAX_BODY_BYTES"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
