"""A circuit breaker per downstream target, so a sick service is not hammered while it recovers.

Closed: calls flow and outcomes are counted. It opens after `failure_threshold` consecutive
failures, or when the failure ratio over the last `window_size` outcomes reaches `failure_ratio`
(once at least `minimum_calls` were seen). Open: calls fail fast for `cooldown` seconds. Then
half-open: one probe goes through; its success closes the breaker, its failure opens it again.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum

from prometheus_client import Gauge


class BreakerState(Enum):
    """The breaker's state; the value is what the state gauge reports."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


BREAKER_STATE = Gauge(
    "fleet_circuit_breaker_state",
    "Circuit breaker state per downstream target: 0 closed, 1 half-open, 2 open.",
    ["service", "target"],
    multiprocess_mode="livemax",
)


class CircuitBreaker:
    """Counts outcomes of calls to one target and decides whether the next call may go."""

    def __init__(
        self,
        service: str,
        target: str,
        *,
        failure_threshold: int = 5,
        failure_ratio: float = 0.5,
        window_size: int = 20,
        minimum_calls: int = 10,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or window_size < 1 or minimum_calls < 1:
            raise ValueError("failure_threshold, window_size and minimum_calls must be >= 1")
        if not 0 < failure_ratio <= 1 or cooldown <= 0:
            raise ValueError("failure_ratio must be in (0, 1] and cooldown positive")
        self.service, self.target = service, target
        self.failure_threshold = failure_threshold
        self.failure_ratio = failure_ratio
        self.minimum_calls = minimum_calls
        self.cooldown = cooldown
        self._clock = clock
        self._outcomes: deque[bool] = deque(maxlen=window_size)
        self._consecutive_failures = 0
        self._state = BreakerState.CLOSED
        self._opened_at = 0.0
        self._probe_started_at: float | None = None
        self._publish()

    @property
    def state(self) -> BreakerState:
        """The current state; an open breaker whose cool-down is over reads as half-open."""
        if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self.cooldown:
            self._move_to(BreakerState.HALF_OPEN)
        return self._state

    def allow_request(self) -> bool:
        """Whether a call may be sent now; in half-open this hands out the single probe."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN:
            return False
        now = self._clock()
        # A probe whose caller vanished (cancelled, deadline) is written off after a cool-down,
        # or the breaker would stay half-open and refuse everything for ever.
        if self._probe_started_at is None or now - self._probe_started_at >= self.cooldown:
            self._probe_started_at = now
            return True
        return False

    def record_success(self) -> None:
        """A call answered: counted when closed; in half-open it closes the breaker."""
        state = self.state
        if state is BreakerState.CLOSED:
            self._consecutive_failures = 0
            self._outcomes.append(True)
        elif state is BreakerState.HALF_OPEN:
            self._move_to(BreakerState.CLOSED)
        # When open, the call was sent before the breaker tripped: it proves nothing new.

    def record_failure(self) -> None:
        """A call failed (transport error, timeout or server error)."""
        state = self.state
        if state is BreakerState.HALF_OPEN:
            self._open()
        elif state is BreakerState.CLOSED:
            self._consecutive_failures += 1
            self._outcomes.append(False)
            if self._consecutive_failures >= self.failure_threshold or self._ratio_exceeded():
                self._open()

    def _ratio_exceeded(self) -> bool:
        seen = len(self._outcomes)
        failures = seen - sum(self._outcomes)
        return seen >= self.minimum_calls and failures / seen >= self.failure_ratio

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._move_to(BreakerState.OPEN)

    def _move_to(self, state: BreakerState) -> None:
        self._state = state
        self._probe_started_at = None
        if state is BreakerState.CLOSED:
            self._outcomes.clear()
            self._consecutive_failures = 0
        self._publish()

    def _publish(self) -> None:
        BREAKER_STATE.labels(service=self.service, target=self.target).set(self._state.value)


_shared: dict[tuple[str, str], CircuitBreaker] = {}


def breaker_for(service: str, target: str) -> CircuitBreaker:
    """The process-wide breaker for calls from `service` to `target`, with default settings."""
    key = (service, target)
    if key not in _shared:
        _shared[key] = CircuitBreaker(service, target)
    return _shared[key]
