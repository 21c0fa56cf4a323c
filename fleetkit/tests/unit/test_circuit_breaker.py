"""The circuit breaker's state machine, driven by a fake clock."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import REGISTRY

from fleetkit.circuit_breaker import BreakerState, CircuitBreaker, breaker_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_breaker(clock: FakeClock, *, target: str = "ledger", **settings: Any) -> CircuitBreaker:
    options = {"failure_threshold": 3, "cooldown": 10.0, "minimum_calls": 100, **settings}
    return CircuitBreaker("equity", target, clock=clock, **options)


def state(breaker: CircuitBreaker) -> BreakerState:
    # A call, so mypy does not carry a narrowed state from one assertion to the next.
    return breaker.state


def trip(breaker: CircuitBreaker) -> None:
    for _ in range(breaker.failure_threshold):
        breaker.record_failure()


def test_new_breaker_is_closed_and_lets_calls_through() -> None:
    breaker = make_breaker(FakeClock())
    assert state(breaker) is BreakerState.CLOSED
    assert breaker.allow_request()


def test_opens_after_consecutive_failures() -> None:
    breaker = make_breaker(FakeClock())
    breaker.record_failure()
    breaker.record_failure()
    assert state(breaker) is BreakerState.CLOSED
    breaker.record_failure()
    assert state(breaker) is BreakerState.OPEN
    assert not breaker.allow_request()


def test_a_success_resets_the_consecutive_failure_count() -> None:
    breaker = make_breaker(FakeClock())
    for _ in range(5):
        breaker.record_failure()
        breaker.record_failure()
        breaker.record_success()
    assert state(breaker) is BreakerState.CLOSED


def test_opens_when_the_failure_ratio_over_the_window_is_reached() -> None:
    breaker = make_breaker(
        FakeClock(), failure_threshold=100, failure_ratio=0.5, window_size=10, minimum_calls=10
    )
    for _ in range(4):
        breaker.record_success()
        breaker.record_failure()
    breaker.record_success()
    assert state(breaker) is BreakerState.CLOSED  # 4 failures in 9 calls, below minimum calls
    breaker.record_failure()
    assert state(breaker) is BreakerState.OPEN  # 5 of 10


def test_old_successes_do_not_dilute_a_new_burst_of_failures() -> None:
    breaker = make_breaker(
        FakeClock(), failure_threshold=100, failure_ratio=0.5, window_size=4, minimum_calls=4
    )
    for _ in range(50):
        breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert state(breaker) is BreakerState.OPEN  # 2 of the last 4, though 2 of 52 overall


def test_open_breaker_refuses_until_the_cooldown_is_over() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    trip(breaker)
    clock.advance(9.99)
    assert not breaker.allow_request()
    clock.advance(0.01)
    assert state(breaker) is BreakerState.HALF_OPEN


def test_half_open_lets_exactly_one_probe_through() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    trip(breaker)
    clock.advance(10)
    assert breaker.allow_request()
    assert not breaker.allow_request()
    assert not breaker.allow_request()


def test_probe_success_closes_the_breaker() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    trip(breaker)
    clock.advance(10)
    assert breaker.allow_request()
    breaker.record_success()
    assert state(breaker) is BreakerState.CLOSED
    assert breaker.allow_request()
    breaker.record_failure()
    breaker.record_failure()
    assert state(breaker) is BreakerState.CLOSED  # the old failures were forgotten


def test_probe_failure_opens_for_another_cooldown() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    trip(breaker)
    clock.advance(10)
    assert breaker.allow_request()
    breaker.record_failure()
    assert state(breaker) is BreakerState.OPEN
    clock.advance(9)
    assert not breaker.allow_request()
    clock.advance(1)
    assert breaker.allow_request()


def test_an_abandoned_probe_is_replaced_after_a_cooldown() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    trip(breaker)
    clock.advance(10)
    assert breaker.allow_request()  # its caller is cancelled and never reports
    clock.advance(5)
    assert not breaker.allow_request()
    clock.advance(5)
    assert breaker.allow_request()


def test_late_success_of_a_call_sent_before_tripping_keeps_it_open() -> None:
    breaker = make_breaker(FakeClock())
    trip(breaker)
    breaker.record_success()
    assert state(breaker) is BreakerState.OPEN


def test_state_gauge_follows_the_state() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, target="gauge-target")

    def gauge() -> float | None:
        labels = {"service": "equity", "target": "gauge-target"}
        return REGISTRY.get_sample_value("fleet_circuit_breaker_state", labels)

    assert gauge() == 0
    trip(breaker)
    assert gauge() == 2
    clock.advance(10)
    assert state(breaker) is BreakerState.HALF_OPEN
    assert gauge() == 1


@pytest.mark.parametrize(
    "settings",
    [{"failure_threshold": 0}, {"failure_ratio": 0}, {"failure_ratio": 1.5}, {"cooldown": 0}],
)
def test_nonsensical_settings_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        make_breaker(FakeClock(), **settings)


def test_breaker_for_shares_one_breaker_per_target() -> None:
    assert breaker_for("equity", "shared-ledger") is breaker_for("equity", "shared-ledger")
    assert breaker_for("equity", "shared-ledger") is not breaker_for("issuance", "shared-ledger")


@given(st.lists(st.booleans(), max_size=60))
def test_never_open_before_threshold_consecutive_failures(outcomes: list[bool]) -> None:
    breaker = make_breaker(FakeClock())
    streak = 0
    for succeeded in outcomes:
        breaker.record_success() if succeeded else breaker.record_failure()
        streak = 0 if succeeded else streak + 1
        if state(breaker) is BreakerState.OPEN:
            assert streak >= 3
            return
        assert streak < 3
