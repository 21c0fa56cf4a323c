"""Idempotency-Key on writes, against the real Postgres table (DESIGN.md §7)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fleetkit.app import create_fleet_app
from fleetkit.idempotency import (
    IN_FLIGHT_TYPE,
    IdempotencyRecord,
    caller_scope,
    prune_expired_keys,
    request_fingerprint,
)
from fleetkit.internal_jwt import TokenMinter
from fleetkit.settings import BaseFleetSettings
from fleetkit.testing.keys import FleetKeys

BODY = b'{"amount":"12.50","note":"first"}'
OTHER_BODY = b'{"amount":"99.00","note":"second"}'
JSON = {"content-type": "application/json"}


@pytest.fixture
def headers(auth_headers: Callable[..., dict[str, str]]) -> Callable[..., dict[str, str]]:
    """Token and JSON content type, plus an Idempotency-Key when one is given."""

    def build(key: str | None = None, **claims: Any) -> dict[str, str]:
        extra = {"idempotency-key": key} if key is not None else {}
        return {**auth_headers(**claims), **JSON, **extra}

    return build


@pytest.fixture
async def lenient_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client that receives the app's 500 answer instead of the re-raised exception."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def stored_keys(engine: AsyncEngine) -> list[IdempotencyRecord]:
    async with AsyncSession(engine) as session:
        return list((await session.scalars(select(IdempotencyRecord))).all())


async def insert_key(engine: AsyncEngine, **values: Any) -> None:
    now = datetime.now(UTC)
    row = {
        "state": "in_flight",
        "locked_until": now + timedelta(seconds=60),
        "expires_at": now + timedelta(hours=24),
        **values,
    }
    async with engine.begin() as connection:
        await connection.execute(insert(IdempotencyRecord).values(**row))


def echo_scope_and_fingerprint(token_headers: dict[str, str], body: bytes) -> dict[str, str]:
    """What the middleware will compute for `POST /v1/echo` with these headers and body."""
    lowered = {name.lower(): value for name, value in token_headers.items()}
    return {
        "scope": caller_scope(lowered, "POST", "/v1/echo"),
        "request_hash": request_fingerprint("POST", "/v1/echo", b"", body),
    }


async def test_same_key_and_body_replays_the_first_response(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]]
):
    first = await client.post("/v1/echo", content=BODY, headers=headers("key-1"))
    again = await client.post("/v1/echo", content=BODY, headers=headers("key-1"))
    fresh = await client.post("/v1/echo", content=BODY, headers=headers("key-2"))

    assert first.status_code == again.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["content-type"] == "application/json"
    # The handler ran once for key-1: the next real run is the very next number.
    assert fresh.json()["sequence"] == first.json()["sequence"] + 1
    assert "idempotent-replayed" not in fresh.headers


async def test_a_completed_key_is_stored_with_the_first_answer(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]], committed: AsyncEngine
):
    first = await client.post("/v1/echo", content=BODY, headers=headers("key-1", subject="u-9"))

    [record] = await stored_keys(committed)
    assert record.key == "key-1"
    assert record.scope == "tenant-a|u-9|POST /v1/echo"
    assert record.state == "completed"
    assert record.response_status == 201
    assert record.response_body == first.content
    assert record.expires_at - record.locked_until > timedelta(hours=23)


async def test_same_key_with_another_body_is_refused_and_keeps_the_first_answer(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]]
):
    first = await client.post("/v1/echo", content=BODY, headers=headers("key-1"))
    reused = await client.post("/v1/echo", content=OTHER_BODY, headers=headers("key-1"))
    again = await client.post("/v1/echo", content=BODY, headers=headers("key-1"))

    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    problem = reused.json()
    assert problem["type"] == "urn:finfleet:problem:idempotency-key-reused"
    assert problem["status"] == 422
    assert problem["instance"] == "/v1/echo"
    assert problem["request_id"] == reused.headers["x-request-id"]
    assert problem["trace_id"] == reused.headers["traceparent"].split("-")[1]
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"


async def test_same_key_with_another_query_string_is_refused(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]]
):
    await client.post("/v1/echo", content=BODY, headers=headers("key-1"))
    reused = await client.post("/v1/echo?dry_run=1", content=BODY, headers=headers("key-1"))

    assert reused.status_code == 422
    assert reused.json()["type"] == "urn:finfleet:problem:idempotency-key-reused"


async def test_a_request_in_flight_is_a_409_with_retry_after(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]], committed: AsyncEngine
):
    request_headers = headers("key-1")
    await insert_key(committed, key="key-1", **echo_scope_and_fingerprint(request_headers, BODY))

    response = await client.post("/v1/echo", content=BODY, headers=request_headers)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"] == "urn:finfleet:problem:idempotency-in-flight"
    [record] = await stored_keys(committed)
    assert record.state == "in_flight"


async def test_an_in_flight_key_with_another_body_is_still_refused_as_reused(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]], committed: AsyncEngine
):
    request_headers = headers("key-1")
    await insert_key(committed, key="key-1", **echo_scope_and_fingerprint(request_headers, BODY))

    response = await client.post("/v1/echo", content=OTHER_BODY, headers=request_headers)

    assert response.status_code == 422
    assert response.json()["type"] == "urn:finfleet:problem:idempotency-key-reused"


async def test_a_key_whose_lease_expired_is_taken_over(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]], committed: AsyncEngine
):
    request_headers = headers("key-1")
    await insert_key(
        committed,
        key="key-1",
        locked_until=datetime.now(UTC) - timedelta(seconds=1),
        **echo_scope_and_fingerprint(request_headers, BODY),
    )

    taken_over = await client.post("/v1/echo", content=BODY, headers=request_headers)
    again = await client.post("/v1/echo", content=BODY, headers=request_headers)

    assert taken_over.status_code == 201
    assert "idempotent-replayed" not in taken_over.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == taken_over.json()
    [record] = await stored_keys(committed)
    assert (record.state, record.response_status) == ("completed", 201)


async def test_keys_are_scoped_per_caller(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]]
):
    alice = await client.post("/v1/echo", content=BODY, headers=headers("key-1", subject="alice"))
    bob = await client.post("/v1/echo", content=BODY, headers=headers("key-1", subject="bob"))
    alice_elsewhere = await client.post(
        "/v1/echo", content=BODY, headers=headers("key-1", subject="alice", tenant_id="tenant-b")
    )

    assert bob.status_code == alice_elsewhere.status_code == 201
    assert "idempotent-replayed" not in bob.headers
    assert "idempotent-replayed" not in alice_elsewhere.headers
    sequences = [r.json()["sequence"] for r in (alice, bob, alice_elsewhere)]
    assert sequences == [sequences[0], sequences[0] + 1, sequences[0] + 2]


async def test_the_same_key_on_another_route_is_another_key(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]]
):
    echo = await client.post("/v1/echo", content=BODY, headers=headers("key-1"))
    probe = await client.post("/v1/probes", content=b'{"message":"hi"}', headers=headers("key-1"))

    assert echo.status_code == 201
    assert probe.status_code == 202
    assert "idempotent-replayed" not in probe.headers


async def test_a_500_frees_the_key_so_a_retry_runs_again(
    lenient_client: httpx.AsyncClient,
    headers: Callable[..., dict[str, str]],
    committed: AsyncEngine,
):
    first = await lenient_client.post("/v1/echo/boom", headers=headers("key-1"))
    assert await stored_keys(committed) == []
    retry = await lenient_client.post("/v1/echo/boom", headers=headers("key-1"))

    assert first.status_code == retry.status_code == 500
    assert "idempotent-replayed" not in retry.headers
    assert await stored_keys(committed) == []


async def test_a_refused_token_frees_the_key_for_the_same_caller(
    client: httpx.AsyncClient,
    headers: Callable[..., dict[str, str]],
    fleet_keys: FleetKeys,
    settings: BaseFleetSettings,
    committed: AsyncEngine,
):
    expired = TokenMinter("portfolio", fleet_keys.seeds["portfolio"], ttl_seconds=-60).mint(
        settings.service_name, subject="user-1", tenant_id="tenant-a"
    )
    stale = {"authorization": f"Bearer {expired}", "idempotency-key": "key-1", **JSON}

    refused = await client.post("/v1/echo", content=BODY, headers=stale)
    assert await stored_keys(committed) == []
    accepted = await client.post("/v1/echo", content=BODY, headers=headers("key-1"))

    assert refused.status_code == 401
    assert accepted.status_code == 201
    assert "idempotent-replayed" not in accepted.headers


async def test_a_validation_error_is_a_final_answer_and_is_replayed(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]]
):
    bad = b'{"amount":"abc"}'
    first = await client.post("/v1/echo", content=bad, headers=headers("key-1"))
    again = await client.post("/v1/echo", content=bad, headers=headers("key-1"))

    assert first.status_code == again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


@pytest.mark.parametrize("key", ["k" * 256, "", "tab\tinside"])
async def test_an_invalid_key_is_a_400_problem_and_nothing_runs(
    client: httpx.AsyncClient,
    headers: Callable[..., dict[str, str]],
    committed: AsyncEngine,
    key: str,
):
    refused = await client.post("/v1/echo", content=BODY, headers=headers(key))
    after = await client.post("/v1/echo", content=BODY, headers=headers())

    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:finfleet:problem:invalid-idempotency-key"
    assert refused.headers["x-request-id"]
    assert after.status_code == 201
    assert await stored_keys(committed) == []


async def test_a_key_of_the_maximum_length_is_accepted(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]], committed: AsyncEngine
):
    response = await client.post("/v1/echo", content=BODY, headers=headers("k" * 255))

    assert response.status_code == 201
    assert [record.key for record in await stored_keys(committed)] == ["k" * 255]


async def test_a_write_without_a_key_is_not_recorded(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]], committed: AsyncEngine
):
    first = await client.post("/v1/echo", content=BODY, headers=headers())
    second = await client.post("/v1/echo", content=BODY, headers=headers())

    assert second.json()["sequence"] == first.json()["sequence"] + 1
    assert "idempotent-replayed" not in second.headers
    assert await stored_keys(committed) == []


async def test_a_read_with_a_key_is_not_recorded(
    client: httpx.AsyncClient, headers: Callable[..., dict[str, str]], committed: AsyncEngine
):
    response = await client.get(
        "/v1/probes/0190d2a0-0000-7000-8000-000000000000", headers=headers("key-1")
    )

    assert response.status_code == 200
    assert await stored_keys(committed) == []


async def test_a_long_path_with_a_key_is_not_a_500(
    lenient_client: httpx.AsyncClient, headers: Callable[..., dict[str, str]]
):
    response = await lenient_client.post("/v1/echo/" + "x" * 400, headers=headers("key-1"))

    assert response.status_code == 404


async def test_prune_expired_keys_deletes_only_expired_rows(db_session: AsyncSession):
    now = datetime.now(UTC)
    for key, expires_at in [
        ("old", now - timedelta(minutes=1)),
        ("live", now + timedelta(hours=1)),
    ]:
        db_session.add(
            IdempotencyRecord(
                scope="tenant-a|user-1|POST /v1/echo",
                key=key,
                request_hash="0" * 64,
                state="completed",
                response_status=201,
                locked_until=now,
                expires_at=expires_at,
            )
        )
    await db_session.flush()

    pruned = await prune_expired_keys(db_session)

    assert pruned == 1
    remaining = (await db_session.scalars(select(IdempotencyRecord.key))).all()
    assert remaining == ["live"]


# A real race: the first request holds the key while its handler waits.


@pytest.fixture
async def slow_app(
    settings: BaseFleetSettings, committed: AsyncEngine, redis: Any, bus: Any
) -> AsyncIterator[tuple[Any, asyncio.Event, asyncio.Event]]:
    """A fleet app whose `POST /v1/slow` waits until released; yields (app, entered, release)."""
    entered, release = asyncio.Event(), asyncio.Event()
    router = APIRouter(prefix="/slow")

    @router.post("", status_code=201)
    async def slow_write() -> dict[str, bool]:
        entered.set()
        await release.wait()
        return {"done": True}

    application = create_fleet_app(settings, title="slow", routers=[router])
    yield application, entered, release
    await application.state.redis.aclose()
    await application.state.bus.aclose()
    await application.state.engine.dispose()


async def test_a_second_request_while_the_first_runs_is_a_409(
    slow_app: tuple[Any, asyncio.Event, asyncio.Event], headers: Callable[..., dict[str, str]]
):
    application, entered, release = slow_app
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        request_headers = headers("key-1")
        first = asyncio.create_task(http.post("/v1/slow", content=b"{}", headers=request_headers))
        await asyncio.wait_for(entered.wait(), timeout=10)

        concurrent = await http.post("/v1/slow", content=b"{}", headers=request_headers)
        release.set()
        finished = await asyncio.wait_for(first, timeout=10)
        after = await http.post("/v1/slow", content=b"{}", headers=request_headers)

    assert concurrent.status_code == 409
    assert concurrent.json()["type"] == "urn:finfleet:problem:idempotency-in-flight"
    assert finished.status_code == 201
    assert after.status_code == 201
    assert after.headers["idempotent-replayed"] == "true"


@pytest.fixture
async def forwarding_app(
    settings: BaseFleetSettings, committed: AsyncEngine, redis: Any, bus: Any
) -> AsyncIterator[Any]:
    """A fleet app like the gateway: its first answer is the downstream's 'still in flight'
    409 (the downstream died holding the key), its second the downstream's 201."""
    router = APIRouter(prefix="/forward")
    answers = iter([409, 201])

    @router.post("")
    async def forward() -> JSONResponse:
        if next(answers) == 409:
            problem = {"type": IN_FLIGHT_TYPE, "title": "Conflict", "status": 409}
            return JSONResponse(problem, status_code=409, media_type="application/problem+json")
        return JSONResponse({"done": True}, status_code=201)

    application = create_fleet_app(settings, title="forwarding", routers=[router])
    yield application
    await application.state.redis.aclose()
    await application.state.bus.aclose()
    await application.state.engine.dispose()


async def test_a_downstream_in_flight_409_is_not_kept_as_the_final_answer(
    forwarding_app: Any, headers: Callable[..., dict[str, str]], committed: AsyncEngine
):
    transport = httpx.ASGITransport(app=forwarding_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        first = await http.post("/v1/forward", content=b"{}", headers=headers("key-1"))
        assert await stored_keys(committed) == []
        retry = await http.post("/v1/forward", content=b"{}", headers=headers("key-1"))

    assert first.status_code == 409
    assert retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers
