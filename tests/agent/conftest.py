from __future__ import annotations

import pytest


@pytest.fixture
def make_agent(db):
    """Build an agent over the small real index with the given language model (or none)."""
    from agent import Settings, build_agent

    def make(llm=None, **settings):
        return build_agent(Settings(db=db, llm="none", **settings), llm=llm)

    return make
