"""schemathesis against /openapi.json: generated requests, valid and invalid, never get a 5xx and
every response conforms to the document (status code, content type, headers, body schema)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi import checks as openapi_checks

from service.app import create_app
from service.rest.routes import OPERATIONS
from tests.conftest import Servers, make_settings

# Not `positive_data_acceptance`: some rules span parameters (`from` after `to`) or data (a
# well-formed cursor of another list), which JSON Schema cannot express; such requests get the
# documented 400.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]
# Path parameters naming real data, so valid requests reach the data and not only 404s.
REAL = {"symbol": "IWM", "code": "R2000"}


@pytest.fixture(scope="module")
def api_schema(rest_sample_url: str, servers: Servers) -> Iterator[schemathesis.BaseSchema]:
    app = create_app(
        make_settings(
            rest_sample_url,
            servers.redis_url,
            f"sft:fuzz:{secrets.token_hex(4)}:",
            rate_limit_enabled=False,
        )
    )
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    # The app's lifespan runs in schemathesis' event-loop thread until stopped here.
    asgi.shutdown_lifespans()


CASES = [
    pytest.param(operation.path, mode, pinned, id=f"{operation.path}-{label}")
    for operation in OPERATIONS
    for mode, pinned, label in (
        (GenerationMode.POSITIVE, True, "valid-real"),
        (GenerationMode.POSITIVE, False, "valid"),
        (GenerationMode.NEGATIVE, False, "invalid"),
    )
    if pinned is False or "{" in operation.path
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "mode", "pinned"), CASES)
def test_generated_requests_conform_to_the_document(
    api_schema: schemathesis.BaseSchema, path: str, mode: GenerationMode, pinned: bool
) -> None:
    operation = api_schema[path]["GET"]
    fixed: dict[str, Any] | None = None
    if pinned:
        fixed = {name: value for name, value in REAL.items() if "{" + name + "}" in path}

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    run()
