"""Calls from one service to another: timeouts, safe retries, a circuit breaker, propagated ids.

Only idempotent calls are retried (GET, HEAD, OPTIONS, PUT, DELETE, or any request carrying an
`Idempotency-Key`), on transport errors, timeouts and 502/503/504, after a full-jitter
exponential backoff. A POST without a key is sent once: sending it again could move money twice.

A retry can overtake its own first attempt: the first timed out here but still runs there, so
the target answers the retry 409 `idempotency-in-flight`. That answer is about our own request,
not the caller's mistake, so the client waits as the answer's `Retry-After` asks and asks
again (at most `IN_FLIGHT_WAITS` times, not counted as retries) until the first attempt's
answer can be replayed. A 409 in flight on a first attempt is another caller's twin: returned.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, TypedDict, Unpack

import httpx
from prometheus_client import Counter, Histogram

from fleetkit.circuit_breaker import CircuitBreaker, breaker_for
from fleetkit.request_context import request_id_var, traceparent_var

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUSES = frozenset({502, 503, 504})
IN_FLIGHT_TYPE = "urn:finfleet:problem:idempotency-in-flight"
IN_FLIGHT_WAITS = 10  # waits for our own earlier attempt, each as long as Retry-After asks

DOWNSTREAM_REQUESTS = Counter(
    "fleet_downstream_requests_total",
    "Attempts of calls to other services, by outcome (2xx..5xx, timeout, "
    "connection_error, circuit_open).",
    ["service", "target", "method", "outcome"],
)
DOWNSTREAM_LATENCY = Histogram(
    "fleet_downstream_request_duration_seconds",
    "Duration of each attempt of a call to another service.",
    ["service", "target", "method"],
)

Sleep = Callable[[float], Awaitable[None]]
QueryParams = Mapping[str, str | int | float | bool | None] | httpx.QueryParams


class DownstreamError(Exception):
    """A call to another service could not be completed."""

    def __init__(self, target: str, message: str) -> None:
        super().__init__(f"{target}: {message}")
        self.target = target


class DownstreamUnavailable(DownstreamError):  # noqa: N818 - names the outcome, like NotFound
    """The target is unreachable: its breaker is open or every attempt failed to connect."""


class DownstreamTimeout(DownstreamUnavailable):
    """The target did not answer within the timeout, on every attempt."""


class RequestOptions(TypedDict, total=False):
    """What a call may carry besides its method and path."""

    params: QueryParams
    json: Any
    content: bytes | str
    headers: Mapping[str, str]
    timeout: httpx.Timeout | float


class DownstreamClient:
    """An `httpx.AsyncClient` for calls from `service_name` to `target_name`."""

    def __init__(
        self,
        service_name: str,
        target_name: str,
        base_url: str,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        breaker: CircuitBreaker | None = None,
        token_provider: Callable[[], str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff_base: float = 0.1,
        backoff_cap: float = 2.0,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.service_name, self.target_name = service_name, target_name
        self.max_retries = max_retries
        self.breaker = breaker or breaker_for(service_name, target_name)
        self._token_provider = token_provider
        self._backoff_base, self._backoff_cap = backoff_base, backoff_cap
        self._sleep, self._jitter = sleep, jitter
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    async def request(
        self, method: str, path: str, **options: Unpack[RequestOptions]
    ) -> httpx.Response:
        """Send one call, retrying it when that is safe; 5xx answers are returned, not raised.

        Raises `DownstreamUnavailable` (breaker open, connection failures) or
        `DownstreamTimeout` once the attempts are used up.
        """
        method = method.upper()
        headers = httpx.Headers(options.get("headers"))
        retryable = method in IDEMPOTENT_METHODS or "idempotency-key" in headers
        attempts = 1 + self.max_retries if retryable else 1
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            response = await self._attempt_or_back_off(
                method, path, headers, options, attempt, last
            )
            waits = 0
            while response is not None and attempt > 1 and in_flight(response):
                if waits == IN_FLIGHT_WAITS:
                    break
                waits += 1  # our own earlier attempt still runs there: wait for its answer
                await self._sleep(_retry_after(response, default=1.0, cap=self._backoff_cap))
                response = await self._attempt_or_back_off(
                    method, path, headers, options, attempt, last
                )
            if response is not None:
                return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _attempt_or_back_off(
        self,
        method: str,
        path: str,
        headers: httpx.Headers,
        options: RequestOptions,
        attempt: int,
        last: bool,
    ) -> httpx.Response | None:
        """One attempt: the answer, or None once the backoff before the next attempt is slept.

        On the last attempt a failure raises instead, and any answer is returned.
        """
        if not self.breaker.allow_request():
            self._count(method, "circuit_open")
            raise DownstreamUnavailable(self.target_name, "circuit breaker is open")
        try:
            response = await self._attempt(method, path, headers, options)
        except httpx.TimeoutException as exc:
            if last:
                raise DownstreamTimeout(self.target_name, f"{method} {path} timed out") from exc
            reason = type(exc).__name__
        except httpx.TransportError as exc:
            if last:
                message = f"{method} {path} failed: {exc!r}"
                raise DownstreamUnavailable(self.target_name, message) from exc
            reason = type(exc).__name__
        else:
            if response.status_code not in RETRYABLE_STATUSES or last:
                return response
            reason = str(response.status_code)
        delay = self._backoff(attempt)
        logger.warning(
            "retrying %s %s on %s after %s (attempt %d, in %.3fs)",
            method,
            path,
            self.target_name,
            reason,
            attempt + 1,
            delay,
        )
        await self._sleep(delay)
        return None

    async def get(self, path: str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """GET `path` (retried on failure)."""
        return await self.request("GET", path, **options)

    async def post(self, path: str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """POST `path`; retried only when it carries an `Idempotency-Key` header."""
        return await self.request("POST", path, **options)

    async def put(self, path: str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """PUT `path` (retried on failure)."""
        return await self.request("PUT", path, **options)

    async def delete(self, path: str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """DELETE `path` (retried on failure)."""
        return await self.request("DELETE", path, **options)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    async def __aenter__(self) -> DownstreamClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _attempt(
        self, method: str, path: str, headers: httpx.Headers, options: RequestOptions
    ) -> httpx.Response:
        timeout = options.get("timeout", httpx.USE_CLIENT_DEFAULT)
        started = time.perf_counter()
        try:
            response = await self._client.request(
                method,
                path,
                params=options.get("params"),
                json=options.get("json"),
                content=options.get("content"),
                headers=self._outgoing_headers(headers),
                timeout=timeout,
            )
        except httpx.TimeoutException:
            self._settle(method, started, "timeout", failed=True)
            raise
        except httpx.TransportError:
            self._settle(method, started, "connection_error", failed=True)
            raise
        outcome = f"{response.status_code // 100}xx"
        self._settle(method, started, outcome, failed=response.status_code >= 500)
        return response

    def _outgoing_headers(self, given: httpx.Headers) -> httpx.Headers:
        headers = httpx.Headers()
        if (request_id := request_id_var.get()) is not None:
            headers["X-Request-ID"] = request_id
        if (traceparent := traceparent_var.get()) is not None:
            headers["traceparent"] = traceparent
        if self._token_provider is not None:
            # Asked on every attempt, so a retry never carries a token that expired meanwhile.
            headers["Authorization"] = f"Bearer {self._token_provider()}"
        headers.update(given)
        return headers

    def _settle(self, method: str, started: float, outcome: str, *, failed: bool) -> None:
        labels = {"service": self.service_name, "target": self.target_name, "method": method}
        DOWNSTREAM_LATENCY.labels(**labels).observe(time.perf_counter() - started)
        self._count(method, outcome)
        if failed:
            self.breaker.record_failure()
        else:
            self.breaker.record_success()

    def _count(self, method: str, outcome: str) -> None:
        DOWNSTREAM_REQUESTS.labels(
            service=self.service_name, target=self.target_name, method=method, outcome=outcome
        ).inc()

    def _backoff(self, attempt: int) -> float:
        # Full jitter: callers retrying at once spread out instead of arriving together.
        ceiling = min(self._backoff_cap, self._backoff_base * 2.0 ** (attempt - 1))
        return self._jitter() * ceiling


def in_flight(response: httpx.Response) -> bool:
    """Whether the answer says a twin request (same Idempotency-Key) is still running."""
    if response.status_code != 409:
        return False
    try:
        return bool(response.json().get("type") == IN_FLIGHT_TYPE)
    except ValueError:
        return False


def _retry_after(response: httpx.Response, *, default: float, cap: float) -> float:
    """The answer's `Retry-After` in seconds (a number; a date or nonsense gives `default`)."""
    try:
        seconds = float(response.headers.get("retry-after", default))
    except ValueError:
        seconds = default
    return min(max(seconds, 0.0), cap)


@asynccontextmanager
async def deadline(seconds: float) -> AsyncIterator[asyncio.Timeout]:
    """A total time budget for a fan-out; raises `TimeoutError` when it runs out.

    `async with deadline(2.0): await asyncio.gather(...)`: every call inside is cancelled when
    the budget is spent, whatever their own timeouts and retries.
    """
    async with asyncio.timeout(seconds) as budget:
        yield budget
