from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="module")
def service_db(_built_index, tmp_path_factory):
    """A data folder with a copy of the small real index, shared by a module's tests."""
    db = tmp_path_factory.mktemp("service-db")
    shutil.copytree(_built_index, db / "index")
    return db


@pytest.fixture(scope="module")
def service_agent(service_db):
    from agent import Settings, build_agent

    return build_agent(Settings(db=service_db, llm="none"))


@pytest.fixture(scope="module")
def client(service_agent):
    from fastapi.testclient import TestClient

    from service.app import create_app

    with TestClient(create_app(service_agent)) as test_client:
        yield test_client
