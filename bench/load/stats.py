"""What one step of offered load came to: throughput, latency percentiles, errors."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bench.load.open_loop import Outcome


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), interpolated linearly between the two nearest ranks: the
    definition of numpy's default ("linear", type 7 of Hyndman and Fan)."""
    if not values:
        return math.nan
    if not 0 <= q <= 100:
        raise ValueError("q must be within 0..100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass(frozen=True)
class StepResult:
    """One offered rate held for a while. Latencies in milliseconds, from each due time."""

    offered: float
    achieved: float
    p50_ms: float
    p99_ms: float
    error_rate: float
    requests: int
    send_lag_p99_ms: float
    errors_by_status: dict[int, int]

    def meets(self, p99_target_ms: float, max_error_rate: float) -> bool:
        return self.p99_ms <= p99_target_ms and self.error_rate <= max_error_rate


def summarize(offered: float, outcomes: Sequence[Outcome]) -> StepResult:
    """Achieved throughput is answered-without-error requests per second over the step: from
    the first due time to the last answer, or the schedule's length if that is longer (the last
    request is due one interval before the step ends). Percentiles are over every request,
    failed ones included."""
    if not outcomes:
        raise ValueError("a step without requests")
    start = min(outcome.due for outcome in outcomes)
    end = max(max(outcome.finished for outcome in outcomes), start + len(outcomes) / offered)
    good = sum(outcome.ok for outcome in outcomes)
    latencies = [outcome.latency * 1000 for outcome in outcomes]
    lags = [(outcome.sent - outcome.due) * 1000 for outcome in outcomes]
    failed = Counter(outcome.status for outcome in outcomes if not outcome.ok)
    return StepResult(
        offered=offered,
        achieved=good / max(end - start, 1e-9),
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        error_rate=(len(outcomes) - good) / len(outcomes),
        requests=len(outcomes),
        send_lag_p99_ms=percentile(lags, 99),
        errors_by_status=dict(failed),
    )


def highest_rate_meeting(
    steps: Sequence[StepResult], p99_target_ms: float, max_error_rate: float
) -> float | None:
    """The highest offered rate of the steps, climbing from the lowest, before the first one that
    missed the target (a later lucky step does not count); None when the lowest missed."""
    best = None
    for step in sorted(steps, key=lambda s: s.offered):
        if not step.meets(p99_target_ms, max_error_rate):
            break
        best = step.offered
    return best
