"""The load bench's driver and statistics (bench/load), against a tiny local HTTP server: the
schedule is open loop (requests leave on the clock, not after answers), latency runs from the
due time through a stall, and the percentiles are numpy's. No fleet: seconds, not minutes.

Timing assertions are one-sided bounds that a slow machine cannot break (a request cannot be
answered before the server lets it go), never "within N ms".
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable

import httpx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.load.open_loop import DRIVER_REFUSED, Operation, Outcome, drive, due_times
from bench.load.run import BASELINE_MAX_RATE, baseline_rates
from bench.load.stats import StepResult, highest_rate_meeting, percentile, summarize
from bench.load.workload import MIX, mix_schedule


class HeldServer:
    """Answers 200 to every request, but only once its gate is open."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.opened_at = math.inf
        self.arrivals: list[float] = []

    def open(self) -> None:
        self.opened_at = time.perf_counter()
        self.gate.set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (line := await reader.readline()) and line.startswith((b"GET", b"POST")):
            while (await reader.readline()).strip():
                pass  # the headers; the driver's GETs have no body
            self.arrivals.append(time.perf_counter())
            await self.gate.wait()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
        writer.close()


Held = tuple[HeldServer, httpx.AsyncClient]


@pytest.fixture
async def held() -> AsyncIterator[Held]:
    server = HeldServer()
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    limits = httpx.Limits(max_connections=500)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as client:
        yield server, client
    server.open()
    listening.close()


def getter(client: httpx.AsyncClient) -> Callable[[int], Operation]:
    def next_operation(index: int) -> Operation:
        async def status() -> int:
            return (await client.get(f"/{index}", timeout=30)).status_code

        return "get", status

    return next_operation


def test_requests_are_due_evenly_at_the_offered_rate() -> None:
    assert due_times(4, 2) == [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75]
    assert len(due_times(7.5, 4)) == 30


async def test_requests_leave_on_the_clock_without_waiting_for_answers(held: Held) -> None:
    server, client = held
    asyncio.get_running_loop().call_later(3, server.open)  # no answer at all for 3 s

    outcomes = await drive(20, 1, getter(client))

    assert len(outcomes) == 20
    start = outcomes[0].due
    assert [round(o.due - start, 9) for o in outcomes] == [round(i / 20, 9) for i in range(20)]
    assert all(o.sent >= o.due for o in outcomes)
    # Every request went out before the first answer came back: a closed loop would have sent
    # one (or one per connection) and waited.
    assert max(o.sent for o in outcomes) < min(o.finished for o in outcomes)
    assert len(server.arrivals) == 20
    assert all(o.status == 200 for o in outcomes)


async def test_latency_runs_from_the_due_time_through_a_stall(held: Held) -> None:
    server, client = held
    asyncio.get_running_loop().call_later(0.6, server.open)

    outcomes = await drive(50, 1, getter(client))

    stalled = [o for o in outcomes if o.due < server.opened_at]
    assert stalled, "no request was due while the server stalled"
    for outcome in stalled:  # each one felt the rest of the stall, not just the first
        assert outcome.latency >= server.opened_at - outcome.due
    step = summarize(50, outcomes)
    latencies_ms = np.array([o.latency for o in outcomes]) * 1000
    assert step.p50_ms == pytest.approx(np.percentile(latencies_ms, 50))
    assert step.p99_ms == pytest.approx(np.percentile(latencies_ms, 99))
    assert (step.requests, step.error_rate) == (50, 0)


async def test_past_the_in_flight_cap_the_driver_refuses_instead_of_piling_up(held: Held) -> None:
    server, client = held
    asyncio.get_running_loop().call_later(2, server.open)

    outcomes = await drive(10, 1, getter(client), max_in_flight=3)

    assert Counter(o.status for o in outcomes) == {200: 3, DRIVER_REFUSED: 7}
    assert summarize(10, outcomes).error_rate == pytest.approx(0.7)


@given(
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=200),
    st.floats(0, 100, allow_nan=False),
)
def test_percentile_is_numpys_linear_percentile(values: list[float], q: float) -> None:
    assert percentile(values, q) == pytest.approx(np.percentile(values, q), rel=1e-9, abs=1e-9)


def test_summary_counts_errors_and_throughput_of_good_answers() -> None:
    outcomes = [
        Outcome("a", 0.0, 0.0, 0.1, 200),
        Outcome("a", 0.5, 0.5, 0.7, 201),
        Outcome("b", 1.0, 1.0, 1.3, 503),
        Outcome("b", 1.5, 1.6, 2.0, 0),
    ]
    step = summarize(2, outcomes)
    assert step.achieved == pytest.approx(2 / 2.0)  # 2 good answers from 0.0 s to 2.0 s
    quick = [Outcome("a", i / 2, i / 2, i / 2 + 0.01, 200) for i in range(4)]
    assert summarize(2, quick).achieved == pytest.approx(2)  # over the 2 s scheduled
    assert step.error_rate == pytest.approx(0.5)
    assert step.errors_by_status == {503: 1, 0: 1}
    assert step.p50_ms == pytest.approx(np.percentile([100, 200, 300, 500], 50))
    assert step.send_lag_p99_ms == pytest.approx(np.percentile([0, 0, 0, 100], 99))


def step(offered: float, p99_ms: float, error_rate: float = 0) -> StepResult:
    return StepResult(offered, offered, p99_ms / 2, p99_ms, error_rate, 100, 0, {})


def test_the_highest_rate_meeting_the_target_stops_at_the_first_miss() -> None:
    steps = [step(5, 100), step(10, 300), step(20, 900), step(40, 400)]
    assert highest_rate_meeting(steps, 500, 0.01) == 10
    assert highest_rate_meeting([step(5, 100, error_rate=0.2)], 500, 0.01) is None


def test_every_round_of_the_mix_holds_each_operation_by_its_weight() -> None:
    assert Counter(mix_schedule(MIX)) == MIX
    assert sum(MIX.values()) == 100
    assert mix_schedule(MIX) == mix_schedule(MIX)  # the same order every run


def test_the_baseline_climbs_past_the_mixs_rates_until_its_cap() -> None:
    rates = baseline_rates((2, 4, 8))
    assert rates[:3] == (2, 4, 8)
    assert rates[3:] == tuple(8 * 2**k for k in range(1, len(rates) - 2))
    assert max(rates) <= BASELINE_MAX_RATE < 2 * max(rates)
