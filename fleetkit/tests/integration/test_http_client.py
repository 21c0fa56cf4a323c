"""DownstreamClient against a real HTTP server on 127.0.0.1 that can be told to fail or hang."""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fleetkit.circuit_breaker import BreakerState, CircuitBreaker
from fleetkit.http_client import (
    IN_FLIGHT_TYPE,
    DownstreamClient,
    DownstreamTimeout,
    DownstreamUnavailable,
    deadline,
)
from fleetkit.request_context import request_id_var, traceparent_var

HANG_SECONDS = 1.5


@dataclass
class Backend:
    """What the server does with the next requests, and every request it received."""

    fail_next: int = 0
    hang_next: int = 0
    in_flight_next: int = 0  # answered 409 idempotency-in-flight, as a twin still running
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hits(self, method: str | None = None) -> int:
        with self.lock:
            return sum(1 for seen_method, _ in self.seen if method in (None, seen_method))


def make_app(backend: Backend) -> Starlette:
    async def anything(request: Request) -> JSONResponse:
        with backend.lock:
            backend.seen.append((request.method, dict(request.headers)))
            hang, backend.hang_next = backend.hang_next > 0, max(backend.hang_next - 1, 0)
            fail, backend.fail_next = backend.fail_next > 0, max(backend.fail_next - 1, 0)
            twin = not hang and backend.in_flight_next > 0
            backend.in_flight_next -= twin
        if twin:
            problem = {"type": IN_FLIGHT_TYPE, "title": "in flight", "status": 409}
            return JSONResponse(problem, status_code=409, headers={"Retry-After": "1"})
        if hang:
            await asyncio.sleep(HANG_SECONDS)
        if fail:
            return JSONResponse({"detail": "try later"}, status_code=503)
        return JSONResponse({"method": request.method, "path": request.url.path})

    methods = ["GET", "POST", "PUT", "DELETE"]
    return Starlette(routes=[Route("/{path:path}", anything, methods=methods)])


@dataclass
class Server:
    url: str
    backend: Backend


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    backend = Backend()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        make_app(backend), lifespan="off", log_level="warning", timeout_graceful_shutdown=1
    )
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started_by = time.monotonic() + 10
    while not uvicorn_server.started:
        if not thread.is_alive() or time.monotonic() > started_by:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    yield Server(f"http://127.0.0.1:{port}", backend)
    uvicorn_server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def backend(server: Server) -> Backend:
    with server.backend.lock:
        server.backend.fail_next = server.backend.hang_next = server.backend.in_flight_next = 0
        server.backend.seen.clear()
    return server.backend


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


_targets = itertools.count()


@dataclass
class Harness:
    """A client wired to the server, a fake clock for its breaker, and the backoffs it slept."""

    server: Server
    clock: FakeClock = field(default_factory=FakeClock)
    sleeps: list[float] = field(default_factory=list)
    target: str = field(default_factory=lambda: f"target-{next(_targets)}")

    def breaker(self, **settings: Any) -> CircuitBreaker:
        options = {"failure_threshold": 100, "cooldown": 10.0, **settings}
        return CircuitBreaker("portfolio", self.target, clock=self.clock, **options)

    def client(self, base_url: str | None = None, **options: Any) -> DownstreamClient:
        async def record_sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        options.setdefault("breaker", self.breaker())
        url = base_url or self.server.url
        return DownstreamClient("portfolio", self.target, url, sleep=record_sleep, **options)


def state_of(breaker: CircuitBreaker) -> BreakerState:
    # A call, so mypy does not carry a narrowed state from one assertion to the next.
    return breaker.state


@pytest.fixture
def harness(server: Server, backend: Backend) -> Harness:
    return Harness(server)


async def test_get_is_retried_until_it_succeeds(harness: Harness, backend: Backend) -> None:
    backend.fail_next = 2
    async with harness.client(max_retries=3, backoff_base=0.1, backoff_cap=1.0) as client:
        response = await client.get("/v1/accounts")
    assert response.status_code == 200
    assert backend.hits("GET") == 3
    assert len(harness.sleeps) == 2
    assert 0 <= harness.sleeps[0] <= 0.1
    assert 0 <= harness.sleeps[1] <= 0.2


async def test_get_returns_the_last_503_once_retries_are_spent(
    harness: Harness, backend: Backend
) -> None:
    backend.fail_next = 10
    async with harness.client(max_retries=2) as client:
        response = await client.get("/v1/accounts")
    assert response.status_code == 503
    assert backend.hits() == 3


async def test_post_without_idempotency_key_is_sent_once(
    harness: Harness, backend: Backend
) -> None:
    backend.fail_next = 1
    async with harness.client(max_retries=3) as client:
        response = await client.post("/v1/transactions", json={"amount": "10.00"})
    assert response.status_code == 503
    assert backend.hits("POST") == 1
    assert harness.sleeps == []


async def test_post_with_idempotency_key_is_retried(harness: Harness, backend: Backend) -> None:
    backend.fail_next = 1
    async with harness.client(max_retries=3) as client:
        response = await client.post(
            "/v1/transactions", json={"amount": "10.00"}, headers={"Idempotency-Key": "k-1"}
        )
    assert response.status_code == 200
    assert [headers["idempotency-key"] for _, headers in backend.seen] == ["k-1", "k-1"]


async def test_retry_that_overtook_its_own_first_attempt_waits_for_its_answer(
    harness: Harness, backend: Backend
) -> None:
    # The first attempt times out here while the target still runs it; the retry is told
    # "in flight" twice, waits as Retry-After asks (not spending retries), then gets the answer.
    backend.hang_next, backend.in_flight_next = 1, 2
    timeout = httpx.Timeout(0.2, connect=1.0)
    async with harness.client(max_retries=1, timeout=timeout) as client:
        response = await client.post(
            "/v1/orders", json={"qty": "1"}, headers={"Idempotency-Key": "k-2"}
        )
    assert response.status_code == 200
    assert backend.hits("POST") == 4
    assert harness.sleeps[1:] == [1.0, 1.0]  # after the first attempt's backoff


async def test_twin_in_flight_on_a_first_attempt_is_another_callers_and_returned(
    harness: Harness, backend: Backend
) -> None:
    backend.in_flight_next = 1
    async with harness.client(max_retries=3) as client:
        response = await client.post("/v1/orders", headers={"Idempotency-Key": "k-3"})
    assert response.status_code == 409
    assert backend.hits() == 1
    assert harness.sleeps == []


async def test_hanging_server_hits_the_timeout(harness: Harness, backend: Backend) -> None:
    backend.hang_next = 1
    started = time.monotonic()
    async with harness.client(max_retries=0) as client:
        with pytest.raises(DownstreamTimeout):
            await client.get("/v1/slow", timeout=0.2)
    assert time.monotonic() - started < HANG_SECONDS


async def test_timed_out_get_is_retried(harness: Harness, backend: Backend) -> None:
    backend.hang_next = 1
    async with harness.client(max_retries=1, timeout=httpx.Timeout(0.2, connect=1.0)) as client:
        response = await client.get("/v1/slow")
    assert response.status_code == 200
    assert backend.hits() == 2


async def test_open_breaker_fails_fast_then_one_probe_closes_it(
    harness: Harness, backend: Backend
) -> None:
    breaker = harness.breaker(failure_threshold=3)
    backend.fail_next = 100
    async with harness.client(max_retries=0, breaker=breaker) as client:
        for _ in range(3):
            assert (await client.get("/v1/quotes")).status_code == 503
        assert state_of(breaker) is BreakerState.OPEN

        with pytest.raises(DownstreamUnavailable, match="circuit breaker is open"):
            await client.get("/v1/quotes")
        assert backend.hits() == 3

        harness.clock.now += 10
        backend.fail_next = 0
        assert (await client.get("/v1/quotes")).status_code == 200
    assert backend.hits() == 4
    assert state_of(breaker) is BreakerState.CLOSED


async def test_breaker_opening_mid_call_stops_its_retries(
    harness: Harness, backend: Backend
) -> None:
    backend.fail_next = 100
    breaker = harness.breaker(failure_threshold=2)
    async with harness.client(max_retries=5, breaker=breaker) as client:
        with pytest.raises(DownstreamUnavailable, match="circuit breaker is open"):
            await client.get("/v1/quotes")
    assert backend.hits() == 2


async def test_bearer_token_is_asked_for_on_every_call(harness: Harness, backend: Backend) -> None:
    tokens = iter(["token-1", "token-2"])
    async with harness.client(token_provider=lambda: next(tokens)) as client:
        await client.get("/v1/a")
        await client.put("/v1/b", json={})
    assert [headers["authorization"] for _, headers in backend.seen] == [
        "Bearer token-1",
        "Bearer token-2",
    ]


async def test_request_and_trace_ids_are_propagated(harness: Harness, backend: Backend) -> None:
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    request_token, trace_token = request_id_var.set("req-42"), traceparent_var.set(traceparent)
    try:
        async with harness.client() as client:
            await client.get("/v1/a")
    finally:
        request_id_var.reset(request_token)
        traceparent_var.reset(trace_token)
    async with harness.client() as client:
        await client.get("/v1/b")
    (_, first), (_, second) = backend.seen
    assert (first["x-request-id"], first["traceparent"]) == ("req-42", traceparent)
    assert "x-request-id" not in second
    assert "traceparent" not in second


async def test_refused_connection_is_retried_then_unavailable(harness: Harness) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    async with harness.client(closed_url, max_retries=2) as client:
        with pytest.raises(DownstreamUnavailable):
            await client.get("/v1/a")
        assert len(harness.sleeps) == 2
        with pytest.raises(DownstreamUnavailable):
            await client.post("/v1/a", json={})
        assert len(harness.sleeps) == 2


async def test_each_attempt_is_counted_by_outcome(harness: Harness, backend: Backend) -> None:
    def attempts(outcome: str) -> float | None:
        labels = {"service": "portfolio", "target": harness.target, "method": "GET"}
        return REGISTRY.get_sample_value(
            "fleet_downstream_requests_total", {**labels, "outcome": outcome}
        )

    backend.fail_next = 1
    async with harness.client(max_retries=1) as client:
        await client.get("/v1/a")
    assert (attempts("5xx"), attempts("2xx")) == (1, 1)


async def test_deadline_bounds_a_whole_fan_out(harness: Harness, backend: Backend) -> None:
    backend.hang_next = 2
    started = time.monotonic()
    async with harness.client() as client:
        with pytest.raises(TimeoutError):
            async with deadline(0.3):
                await asyncio.gather(client.get("/v1/a"), client.get("/v1/b"))
    assert time.monotonic() - started < HANG_SECONDS
