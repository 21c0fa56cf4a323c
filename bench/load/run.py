"""The load bench's run: start the fleet, seed, step the mix and the baseline up, report."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from bench.load import report, resources
from bench.load.open_loop import Operation, Outcome, drive
from bench.load.seeding import Target, keep_signed_in, seed_clients
from bench.load.stats import StepResult, highest_rate_meeting, summarize
from bench.load.workload import mix
from fleetkit.testing.fleet import ROOT, Fleet, running_fleet
from fleetkit.testing.plugin import DB_PREFIX

WARM_UP_SECONDS = 5
# A step this far past the target says the fleet is saturated: higher rates would only queue.
GIVE_UP_FACTOR = 4
# Past this the driver (one Python process on the fleet's cores) measures itself, not the fleet.
BASELINE_MAX_RATE = float(os.environ.get("BENCH_LOAD_BASELINE_MAX_RATE", "640"))

Step = tuple[StepResult, dict[str, float], float]


@dataclass(frozen=True)
class LoadSettings:
    seconds: float
    rates: tuple[float, ...]
    p99_target_ms: float
    max_error_rate: float
    clients: int
    gateway: str | None = None


def list_demo_instruments(fleet: Fleet) -> None:
    """What an operator does on a fresh install (reference data is not written over the API)."""
    env = {**os.environ, "EQUITY_DATABASE_URL": fleet.databases["equity"], "FLEET_ENV": "test",
           "EQUITY_JWT_PRIVATE_KEY": fleet.keys.private_key("equity")}  # fmt: skip
    subprocess.run([sys.executable, "-m", "equity_service.admin", "demo-instruments"],
                   cwd=ROOT, env=env, check=True, capture_output=True)  # fmt: skip


async def wait_for_quotes(client: httpx.AsyncClient, seconds: float = 120) -> None:
    """The equity worker's simulated feed writes the first quotes a little after start."""
    deadline = time.monotonic() + seconds
    while (await client.get("/equity/quotes/AAPL")).status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("no AAPL quote from the equity service (demo data: make seed)")
        await asyncio.sleep(1)


def baseline_rates(rates: tuple[float, ...]) -> tuple[float, ...]:
    """The mix's rates, then doubling on up to BASELINE_MAX_RATE: /health meets every rate the
    mix can, and a ratio against a baseline that never missed would only be a bound."""
    more = [max(rates)]
    while more[-1] * 2 <= BASELINE_MAX_RATE:
        more.append(more[-1] * 2)
    return (*rates, *more[1:])


async def step_up(
    measure_cpu: Callable[[], resources.Snapshot],
    settings: LoadSettings,
    next_operation: Callable[[int], Operation],
    rates: tuple[float, ...],
) -> tuple[list[Step], dict[float, list[Outcome]]]:
    """Each rate in turn, until one is far past the target."""
    steps: list[Step] = []
    outcomes_by_rate = {}
    for rate in rates:
        before = measure_cpu()
        started = time.monotonic()
        outcomes = await drive(rate, settings.seconds, next_operation)
        elapsed = time.monotonic() - started
        cpu = resources.cpu_seconds_by_group(before, measure_cpu())
        result = summarize(rate, outcomes)
        steps.append((result, cpu, elapsed))
        outcomes_by_rate[rate] = outcomes
        print(f"  step {rate:g}/s: p99 {result.p99_ms:.0f} ms, errors {result.error_rate:.1%}",
              flush=True)  # fmt: skip
        far_past = result.p99_ms > GIVE_UP_FACTOR * settings.p99_target_ms
        if far_past or result.error_rate > 0.5:
            break
    return steps, outcomes_by_rate


async def measure(
    target: Target, settings: LoadSettings, measure_cpu: Callable[[], resources.Snapshot]
) -> None:
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=100)
    clients = await seed_clients(target, settings.clients, limits)
    await wait_for_quotes(clients[0].api)
    signed_in = asyncio.create_task(keep_signed_in(clients))
    health = httpx.AsyncClient(base_url=target.gateway, timeout=30, limits=limits)

    def health_call(index: int) -> Operation:
        async def status() -> int:
            return (await health.get("/health")).status_code

        return "health", status

    try:
        workload = mix(clients)
        await drive(settings.rates[0], WARM_UP_SECONDS, workload)
        print(f"mix ({settings.clients} clients)", flush=True)
        mixed, outcomes = await step_up(measure_cpu, settings, workload, settings.rates)
        print("baseline: gateway /health", flush=True)
        baseline, _ = await step_up(
            measure_cpu, settings, health_call, baseline_rates(settings.rates)
        )
    finally:
        signed_in.cancel()
        for client in clients:
            await client.api.aclose()
        await health.aclose()
    print_report(settings, mixed, outcomes, baseline)


def print_report(
    settings: LoadSettings,
    mixed: list[Step],
    outcomes: dict[float, list[Outcome]],
    baseline: list[Step],
) -> None:
    target, errors = settings.p99_target_ms, settings.max_error_rate
    print(f"\nload ({os.cpu_count()} cores, shared; the fleet as `make dev` runs it, one process "
          f"per app, worker and bus; {settings.seconds:g} s per step; open loop, latency from "
          f"each request's due time; cores = CPU seconds per second of the step, 'machine' = "
          f"every process on the host, other users' included)")  # fmt: skip
    print(report.step_table("\nmix through the gateway", mixed))
    print(report.step_table("\nbaseline: gateway /health", baseline))
    best = highest_rate_meeting([s for s, _, _ in mixed], target, errors)
    floor = highest_rate_meeting([s for s, _, _ in baseline], target, errors)
    shown = best if best is not None else mixed[0][0].offered
    _, cpu, seconds = next(step for step in mixed if step[0].offered == shown)
    print(f"\nby operation at {shown:g}/s offered:\n{report.operation_table(outcomes[shown])}")
    missed = next((s for s, _, _ in mixed if not s.meets(target, errors)), None)
    if missed is not None and missed.offered != shown:
        at = missed.offered
        print(f"\nby operation at {at:g}/s offered, the first step that missed the target:\n"
              f"{report.operation_table(outcomes[at])}")  # fmt: skip
    print(f"\nCPU by process group at {shown:g}/s offered:\n{report.cpu_table(cpu, seconds)}")
    top = max(baseline_rates(settings.rates))
    ceiling = "" if floor is None or floor < top else " (the highest rate tried: a lower bound)"
    print(f"\nhighest offered rate with p99 <= {target:g} ms and errors <= {errors:.0%}:")
    print(f"  mix      {'none of the steps' if best is None else f'{best:g}/s'}")
    print(f"  /health  {'none of the steps' if floor is None else f'{floor:g}/s'}{ceiling}")
    if best and floor:
        print(f"  ratio mix / baseline {best / floor:.2f}")
    first_mix, first_base = mixed[0][0], baseline[0][0]
    print(f"  at {first_mix.offered:g}/s: p50 mix / baseline "
          f"{first_mix.p50_ms / max(first_base.p50_ms, 1e-3):.1f}x")  # fmt: skip


def run_load(settings: LoadSettings) -> int:
    if settings.gateway:
        return run_against(settings.gateway, settings)
    workdir = Path(tempfile.mkdtemp(prefix="finfleet-load-"))
    prefix = "bench_load" if DB_PREFIX == "test" else f"{DB_PREFIX}_load"
    # The gateway limits each user to 600 requests a minute; the bench's few clients stand for
    # many users, so the limit is lifted (its Redis round trip is still paid).
    extra = {"PORTFOLIO_RATE_LIMIT_PER_MINUTE": "100000000"}
    print(f"starting the fleet (databases {prefix}_*, logs in {workdir}/fleet.log)", flush=True)
    with running_fleet(workdir, database_prefix=prefix, log_level="WARNING",
                       extra_env=extra) as fleet:  # fmt: skip
        list_demo_instruments(fleet)
        databases = [make_url(url).database or "" for url in fleet.databases.values()]

        def fleet_cpu() -> resources.Snapshot:
            return resources.snapshot(fleet.honcho_pid, databases, fleet.redis_pid)

        target = Target(fleet.gateway, fleet.keys.seeds["portfolio"])
        asyncio.run(measure(target, settings, fleet_cpu))
    return 0


def run_against(gateway: str, settings: LoadSettings) -> int:
    """Load a fleet that is already running (`make up` or `make dev`, demo data seeded), so
    that its Prometheus and Grafana see the load. The bench needs the gateway's token-signing
    key (PORTFOLIO_JWT_PRIVATE_KEY, as in `.env`). Only the driver's and the whole host's CPU
    are measured: the fleet's processes are not the bench's children."""
    encoded = os.environ.get("PORTFOLIO_JWT_PRIVATE_KEY", "")
    if not encoded:
        print("set PORTFOLIO_JWT_PRIVATE_KEY to the gateway's signing key (see .env)")
        return 2
    seed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    print(f"loading the running fleet behind {gateway} (its per-user rate limit applies)")

    def host_cpu() -> resources.Snapshot:
        return resources.snapshot(-1, [], -1)

    asyncio.run(measure(Target(gateway.rstrip("/"), seed), settings, host_cpu))
    return 0
