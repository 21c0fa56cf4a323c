"""Load: a realistic mix through the gateway at fixed offered rates, open loop, stepping up.

The whole fleet runs as real processes (fleetkit.testing.fleet, as in tests/e2e) on fresh
databases. Each step holds one offered rate for BENCH_SECONDS and reports achieved throughput,
p50/p99 latency from each request's due time, error rate and the CPU each part of the fleet
used. The baseline, in the same run and on the same steps, is the gateway's /health: the HTTP
stack with no work behind it. Settings: see bench/load/__main__.py (flags, or BENCH_* variables
for `python -m bench load`).
"""

from __future__ import annotations


def main() -> int:
    from bench.load.__main__ import parse
    from bench.load.run import run_load

    return run_load(parse([]))


__all__ = ["main"]
