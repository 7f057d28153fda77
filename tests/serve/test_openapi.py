"""The API fuzzed from its own OpenAPI document (schemathesis): no request it can generate gets a 5xx,
and every answer has a status and a content type the document declares."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from onrecord.serve.app import create_app

EXAMPLES = 40  # per operation; derandomized, so a run is repeatable


def test_no_generated_request_gets_a_server_error(served_db):
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(str(served_db)))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for op in operations:
        _fuzz(op, GenerationMode.POSITIVE)  # requests the document allows
        if op.definition.raw.get("parameters"):  # and those it does not (nothing to break without parameters)
            _fuzz(op, GenerationMode.NEGATIVE)


def _fuzz(op, mode) -> None:
    @given(case=op.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def check(case) -> None:
        case.call_and_validate(checks=[not_a_server_error, status_code_conformance, content_type_conformance])

    check()
