"""An open-loop load driver: requests leave on a clock, not when the previous answer came back.

A closed-loop driver (wrk, a loop of awaits) sends less when the server slows down, so a stall
hides itself: one slow sample instead of every request that should have been sent meanwhile
("coordinated omission"). Here request i is due at `start + i / rate`, whatever happened to the
ones before it, and its latency runs from that due time, so waiting for the driver to get round
to sending counts against the server, as a user arriving on time would feel it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# An operation sends one request and returns its HTTP status; 0 means it got no answer.
Operation = tuple[str, Callable[[], Awaitable[int]]]
TRANSPORT_ERROR = 0
# Past this many unanswered requests the driver stops sending and counts each one it would have
# sent as refused, rather than eating the machine the fleet runs on.
DRIVER_REFUSED = -1


@dataclass(frozen=True)
class Outcome:
    """One scheduled request: its operation, when it was due, sent and answered (clock seconds),
    and the status (TRANSPORT_ERROR, DRIVER_REFUSED or the HTTP status)."""

    operation: str
    due: float
    sent: float
    finished: float
    status: int

    @property
    def latency(self) -> float:
        """Seconds from when the request was due to its answer (not from when it was sent)."""
        return self.finished - self.due

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


def due_times(rate: float, seconds: float) -> list[float]:
    """Offsets from the start at which requests are due: evenly spaced, `rate` per second."""
    if rate <= 0 or seconds <= 0:
        raise ValueError("rate and seconds must be positive")
    return [i / rate for i in range(round(rate * seconds))]


async def drive(
    rate: float,
    seconds: float,
    next_operation: Callable[[int], Operation],
    *,
    max_in_flight: int = 2000,
    clock: Callable[[], float] = time.perf_counter,
) -> list[Outcome]:
    """Send `rate` requests per second for `seconds`, request i being `next_operation(i)`, and
    wait for every answer. Returns one Outcome per due request, in due order."""
    outcomes: list[Outcome | None] = []
    in_flight: set[asyncio.Task[None]] = set()

    async def send(index: int, name: str, call: Callable[[], Awaitable[int]], due: float) -> None:
        sent = clock()
        try:
            status = await call()
        except Exception:  # any failure to get an answer is the server's error, not a crash
            status = TRANSPORT_ERROR
        outcomes[index] = Outcome(name, due, sent, clock(), status)

    start = clock()
    for index, offset in enumerate(due_times(rate, seconds)):
        due = start + offset
        wait = due - clock()
        if wait > 0:
            await asyncio.sleep(wait)
        name, call = next_operation(index)
        outcomes.append(None)
        if len(in_flight) >= max_in_flight:
            now = clock()
            outcomes[index] = Outcome(name, due, now, now, DRIVER_REFUSED)
            continue
        task = asyncio.create_task(send(index, name, call, due))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.gather(*in_flight)
    return [outcome for outcome in outcomes if outcome is not None]
