"""Every error is an RFC 9457 problem document, and none leaks internals to the client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio

from fleetkit.middleware import RequestContextMiddleware

PROBLEM_JSON = "application/problem+json"
TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
async def lenient_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client that receives the app's 500 answer instead of the re-raised exception."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def assert_is_problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:finfleet:problem:{kind}"
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    return body


def assert_carries_ids(response: httpx.Response, body: dict[str, Any]) -> None:
    assert TRACE_ID.match(body["trace_id"] or "")
    assert body["trace_id"] == response.headers["traceparent"].split("-")[1]
    assert body["request_id"]
    assert body["request_id"] == response.headers["x-request-id"]


async def test_a_bad_body_is_a_422_problem_listing_the_field(
    client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
):
    response = await client.post("/v1/echo", json={"amount": "abc"}, headers=auth_headers())

    body = assert_is_problem(response, 422, "validation-error")
    assert body["instance"] == "/v1/echo"
    assert [error["field"] for error in body["errors"]] == ["body.amount"]
    assert body["errors"][0]["code"] == "decimal_parsing"
    assert body["errors"][0]["message"]
    assert_carries_ids(response, body)


async def test_a_missing_field_and_a_wrong_type_are_both_listed(
    client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
):
    response = await client.post("/v1/echo", json={"note": 7}, headers=auth_headers())

    body = assert_is_problem(response, 422, "validation-error")
    assert sorted(error["field"] for error in body["errors"]) == ["body.amount", "body.note"]


async def test_a_body_that_is_not_json_is_a_422_problem(
    client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
):
    response = await client.post(
        "/v1/echo",
        content=b"{not json",
        headers={**auth_headers(), "content-type": "application/json"},
    )

    body = assert_is_problem(response, 422, "validation-error")
    assert body["errors"]


async def test_the_request_id_of_the_caller_is_echoed_in_the_problem(
    client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
):
    response = await client.post(
        "/v1/echo", json={"amount": "abc"}, headers={**auth_headers(), "x-request-id": "req-42"}
    )

    assert response.json()["request_id"] == "req-42"
    assert response.headers["x-request-id"] == "req-42"


async def test_an_unknown_route_is_a_404_problem(client: httpx.AsyncClient):
    response = await client.get("/v1/no-such-thing")

    body = assert_is_problem(response, 404, "not-found")
    assert body["instance"] == "/v1/no-such-thing"
    assert_carries_ids(response, body)


async def test_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(
    client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
):
    response = await client.get("/v1/echo", headers=auth_headers())

    body = assert_is_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "POST"
    assert_carries_ids(response, body)


async def test_a_missing_token_is_a_401_problem_with_a_bearer_challenge(
    client: httpx.AsyncClient,
):
    response = await client.post("/v1/echo", json={"amount": "1"})

    body = assert_is_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == 'Bearer realm="finfleet-internal"'
    assert body["detail"] == "a bearer token is required"


@pytest.mark.parametrize(
    "authorization", ["Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a.b.c"]
)
async def test_a_bad_or_non_bearer_credential_is_a_401_problem_with_a_challenge(
    client: httpx.AsyncClient, authorization: str
):
    response = await client.post(
        "/v1/echo", json={"amount": "1"}, headers={"authorization": authorization}
    )

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["www-authenticate"] == 'Bearer realm="finfleet-internal"'


async def test_a_token_for_another_service_is_an_invalid_token_problem(
    client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
):
    response = await client.post(
        "/v1/echo", json={"amount": "1"}, headers=auth_headers(audience="equity")
    )

    body = assert_is_problem(response, 401, "invalid-token")
    assert response.headers["www-authenticate"] == 'Bearer realm="finfleet-internal"'
    assert_carries_ids(response, body)


async def test_an_unexpected_exception_is_a_500_problem_without_internals(
    lenient_client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
):
    response = await lenient_client.post("/v1/echo/boom", headers=auth_headers())

    body = assert_is_problem(response, 500, "internal-error")
    assert body["detail"] == "an unexpected error occurred"
    for leak in ("unexpected failure inside a handler", "RuntimeError", "Traceback", ".py"):
        assert leak not in response.text


async def test_an_unexpected_exception_problem_still_carries_the_trace_and_request_ids(
    lenient_client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
):
    response = await lenient_client.post(
        "/v1/echo/boom", headers={**auth_headers(), "x-request-id": "req-boom"}
    )

    assert response.status_code == 500
    assert response.json()["request_id"] == "req-boom"
    assert TRACE_ID.match(response.json()["trace_id"] or "")
    assert response.headers.get("x-request-id") == "req-boom"


async def test_an_unreachable_redis_is_a_retryable_503_problem_not_a_500(
    lenient_client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
):
    response = await lenient_client.post("/v1/echo/unreachable-redis", headers=auth_headers())

    body = assert_is_problem(response, 503, "redis-unavailable")
    assert response.headers["retry-after"] == "1"
    assert "127.0.0.1" not in response.text
    assert_carries_ids(response, body)


async def _unreachable_redis() -> None:
    await redis.asyncio.Redis(port=1).ping()  # nothing listens on port 1


async def _unreachable_postgres() -> None:
    await asyncpg.connect("postgresql://nobody@127.0.0.1:1/none")


async def _a_bug() -> None:
    raise RuntimeError("a real error")


@pytest.mark.parametrize(
    ("failure", "status", "kind"),
    [
        (_unreachable_redis, 503, "redis-unavailable"),
        (_unreachable_postgres, 503, "database-unavailable"),
        (_a_bug, 500, "internal-error"),
    ],
)
async def test_a_dependency_down_inside_a_middleware_is_a_503_not_a_500(failure, status, kind):
    """Where no route handler sees it (the Idempotency-Key claim runs in a middleware)."""

    async def failing_middleware(scope, receive, send):
        await failure()

    app = RequestContextMiddleware(failing_middleware, service="kit")
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.post("/v1/anything")

    assert_is_problem(response, status, kind)


async def test_text_postgres_cannot_store_is_a_422_problem_not_a_500(
    client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
) -> None:
    # A NUL character passes JSON and pydantic, and only Postgres refuses it.
    response = await client.post("/v1/probes", json={"message": "a\u0000b"}, headers=auth_headers())

    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:finfleet:problem:invalid-text"
