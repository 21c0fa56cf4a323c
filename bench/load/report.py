"""The load bench's printed tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bench.load.open_loop import Outcome
from bench.load.resources import MACHINE
from bench.load.stats import StepResult, percentile

# Columns of CPU use, in cores (CPU seconds per second of the step), from the groups of
# bench.load.resources.
CPU_COLUMNS = ("gateway", "services", "workers", "bus", "postgres", "redis", "driver", "machine")


def cpu_column(group: str) -> str:
    if group == "portfolio-app":
        return "gateway"
    if group.endswith("-app") or group.endswith("-chain"):
        return "services"
    if group.endswith("-worker"):
        return "workers"
    if group.endswith("-bus"):
        return "bus"
    return {"load driver": "driver", MACHINE: "machine"}.get(group, group)


def step_table(title: str, steps: Sequence[tuple[StepResult, dict[str, float], float]]) -> str:
    header = (f"{'offered/s':>9} {'achieved/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
              f"{'lag p99':>8} | cores: " + " ".join(f"{c:>8}" for c in CPU_COLUMNS))  # fmt: skip
    lines = [title, header]
    for step, cpu, seconds in steps:
        cores: dict[str, float] = defaultdict(float)
        for group, used in cpu.items():
            cores[cpu_column(group)] += used / seconds
        lines.append(
            f"{step.offered:>9.0f} {step.achieved:>10.1f} {step.p50_ms:>8.0f} {step.p99_ms:>8.0f} "
            f"{100 * step.error_rate:>6.1f}% {step.send_lag_p99_ms:>8.0f} |        "
            + " ".join(f"{cores[c]:>8.2f}" for c in CPU_COLUMNS)
        )
        if step.errors_by_status:
            failed = ", ".join(
                f"{status}: {n}" for status, n in sorted(step.errors_by_status.items())
            )
            lines.append(
                f"{'':>9} errors by status (0 no answer, -1 refused by the driver): {failed}"
            )
    return "\n".join(lines)


def operation_table(outcomes: Sequence[Outcome]) -> str:
    by_name: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_name[outcome.operation].append(outcome)
    lines = [f"  {'operation':<14} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"]
    for name, group in sorted(by_name.items()):
        latencies = [outcome.latency * 1000 for outcome in group]
        failed = 100 * sum(not outcome.ok for outcome in group) / len(group)
        lines.append(f"  {name:<14} {len(group):>8} {percentile(latencies, 50):>8.0f} "
                     f"{percentile(latencies, 99):>8.0f} {failed:>6.1f}%")  # fmt: skip
    return "\n".join(lines)


def cpu_table(cpu: dict[str, float], seconds: float) -> str:
    ordered = sorted(cpu.items(), key=lambda item: -item[1])
    return "\n".join(f"  {group:<22} {used:>7.2f} CPU s  {used / seconds:>5.2f} cores"
                     for group, used in ordered)  # fmt: skip
