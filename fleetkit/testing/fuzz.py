"""Checks for fuzzing a service's OpenAPI with schemathesis (DESIGN.md §7).

Every service is fuzzed the same way: generated requests, valid and invalid, with a valid
internal token; no answer may be a 5xx, every error must be an RFC 9457 problem document
with a stable type, and successful answers must match the documented schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    CheckContext,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err

from fleetkit.problems import PROBLEM_JSON, TYPE_PREFIX
from fleetkit.testing.plugin import DB_PREFIX, TestResources, migrate, recreate_database
from fleetkit.testing.served import ServedService, asyncpg_url, served_service

UVICORN_PARSER_REFUSAL = b"Invalid HTTP request received."


def problem_document(ctx: CheckContext, response: Any, case: Any) -> bool | None:
    """An error answer is `application/problem+json` with a finfleet type and its status."""
    if response.status_code < 400 or _refused_by_http_parser(response):
        return None
    content_type = response.headers.get("content-type", [""])
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else ""
    assert content_type.startswith(PROBLEM_JSON), (
        f"{response.status_code} answered with content type {content_type!r}, not a problem"
    )
    document = json.loads(response.content)
    assert isinstance(document, dict), "a problem document is a JSON object"
    assert str(document.get("type", "")).startswith(TYPE_PREFIX), (
        f"problem type {document.get('type')!r} is not a finfleet problem type"
    )
    assert document.get("status") == response.status_code, "the problem's status differs"
    assert document.get("title"), "a problem has a title"
    return True


def _refused_by_http_parser(response: Any) -> bool:
    # uvicorn's HTTP parser answers a request line it cannot parse (an over-long or malformed
    # URL) itself, before any app code runs: that 400 is the server's, not a service answer.
    return bool(response.status_code == 400 and response.content == UVICORN_PARSER_REFUSAL)


def successful_answer_matches_schema(ctx: CheckContext, response: Any, case: Any) -> bool | None:
    """A 2xx answer matches the operation's documented response schema."""
    if response.status_code >= 300:
        return None
    passed: bool | None = response_schema_conformance(ctx, response, case)
    return passed


FLEET_CHECKS = [not_a_server_error, problem_document, successful_answer_matches_schema]


def fuzz_operations(
    base_url: str,
    token: Callable[[], str],
    *,
    examples: int,
    modes: tuple[str, ...] = ("positive", "negative"),
    skip_paths: tuple[str, ...] = (),
) -> list[str]:
    """Fuzz every operation of the OpenAPI at `base_url`; returns one line per failure.

    Each operation gets `examples` generated requests per mode (schema-valid, then invalid),
    derandomized so a failure repeats on the next run; hypothesis shrinks what fails. `token`
    is asked for a bearer token per operation: a whole run outlasts an internal token's life.
    """
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"the OpenAPI document is not valid: {result.err()}")
            continue
        operation = result.ok()
        if operation.path in skip_paths:
            continue
        headers = {"Authorization": f"Bearer {token()}"}
        for mode in modes:
            try:
                _fuzz_operation(operation, GenerationMode(mode), base_url, headers, examples)
            except Unsatisfiable:
                continue  # no invalid request exists for an operation without inputs
            # Every operation is fuzzed, not only up to the first failure. Schemathesis raises
            # its findings as a FailureGroup, a BaseExceptionGroup (not an Exception).
            except (Exception, FailureGroup) as failure:
                failures.append(f"{operation.label} ({mode}): {_described(failure)}")
    return failures


def _described(failure: BaseException) -> str:
    # Hypothesis wraps what it could not replay ("unreliable results ... (1 sub-exception)"):
    # the report names what actually failed, not only the wrapper.
    causes = getattr(failure, "exceptions", ())
    return "; ".join([str(failure), *(_described(cause) for cause in causes)])


def _fuzz_operation(
    operation: Any, mode: GenerationMode, base_url: str, headers: dict[str, str], examples: int
) -> None:
    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.generate, Phase.shrink],
    )
    def call(case: Any) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=FLEET_CHECKS, timeout=30)

    call()


def fuzz_service(
    package: str,
    resources: TestResources,
    *,
    examples: int,
    with_ledger: bool = False,
    sign_in: Callable[[ServedService], str] | None = None,
    skip_paths: tuple[str, ...] = (),
) -> list[str]:
    """Serve `package` on a fresh database of its own and fuzz its whole OpenAPI.

    `with_ledger`: a service that moves money gets a real ledger process of its own too, so
    that its calls to the ledger are answered rather than refused as unavailable. `sign_in`
    returns a bearer token to fuzz with, asked again per operation (default: an internal
    token for a tenant's owner);
    `skip_paths` are left out (said why at the call)."""
    short = package.removesuffix("_service")
    with ExitStack() as stack:
        extra_env = {}
        if with_ledger:
            ledger_db = f"{DB_PREFIX}_fuzz_ledger_of_{short}_{resources.worker_id}"
            ledger = stack.enter_context(_serve("ledger_service", ledger_db, resources))
            extra_env["FLEET_LEDGER_URL"] = ledger.base_url
        database = f"{DB_PREFIX}_fuzz_{short}_{resources.worker_id}"
        service = stack.enter_context(_serve(package, database, resources, extra_env))
        token: Callable[[], str] = service.token  # a fresh internal token per operation
        if sign_in is not None:
            # Signed in again per operation too: a run on a busy machine outlasts an access
            # token (five minutes), and an expired one turns every later answer into a 401.
            token = partial(sign_in, service)
        return fuzz_operations(service.base_url, token, examples=examples, skip_paths=skip_paths)


@contextmanager
def _serve(
    package: str,
    database: str,
    resources: TestResources,
    extra_env: dict[str, str] | None = None,
) -> Iterator[ServedService]:
    sync_url = recreate_database(database)
    migrate(package, sync_url)
    redis_url, _ = resources.redis_urls()
    with served_service(
        package,
        database_url=asyncpg_url(sync_url),
        redis_url=redis_url,
        keys=resources.keys,
        extra_env=extra_env,
    ) as service:
        yield service
