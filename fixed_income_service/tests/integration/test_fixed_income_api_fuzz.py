"""The bond service's whole OpenAPI fuzzed with schemathesis against the real service process.

Generated requests, schema-valid and not, reach a real uvicorn process on its own migrated
database with a valid token: no input gets a 5xx, every error is a problem document, and every
success matches its schema.
"""

from __future__ import annotations

from fleetkit.testing.fuzz import fuzz_service

EXAMPLES_PER_OPERATION_AND_MODE = 30


def test_no_request_gets_a_server_error_or_a_non_problem(test_resources):
    failures = fuzz_service(
        "fixed_income_service",
        test_resources,
        examples=EXAMPLES_PER_OPERATION_AND_MODE,
        with_ledger=True,
    )
    assert not failures, "\n\n".join(failures)
