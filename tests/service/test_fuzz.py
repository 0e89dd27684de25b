"""Property-based requests from the OpenAPI spec (Schemathesis): whatever fits or nearly fits
the spec, the API answers without a server error and as its spec says."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="pip install 'convrec[dev]'")
from hypothesis import HealthCheck, given, settings  # schemathesis brings hypothesis

EXAMPLES = 30  # per operation: messages run real turns, so a few dozen, not hundreds


@pytest.fixture(scope="module")
def operations(service_agent):
    from service.app import create_app

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(service_agent))
    return {f"{op.method.upper()} {op.path}": op for op in _ok(schema.get_all_operations())}


def _ok(results):
    return [result.ok() for result in results]


OPERATIONS = [
    "POST /v1/sessions/{session_id}/messages",
    "POST /v1/sessions/{session_id}/feedback",
    "POST /v1/sessions/{session_id}/undo",
    "GET /v1/sessions/{session_id}",
    "DELETE /v1/sessions/{session_id}",
    "GET /v1/items/{item_id}",
    "GET /healthz",
    "GET /readyz",
]


def test_the_spec_lists_every_operation(operations):
    assert sorted(operations) == sorted(OPERATIONS)


@pytest.mark.parametrize("name", OPERATIONS)
def test_no_request_makes_a_server_error(operations, name):
    @given(case=operations[name].as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call()
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
        case.validate_response(response)

    check()
