"""Bond analytics on 10,000 bonds against QuantLib on the same bonds, in the same run.

The bonds are the test suite's seeded random ones (every day count, calendar, stub, frequency
and bond type), alive on one settlement date. Both sides get their bonds built beforehand
(our cash-flow arrays, QuantLib's Bond objects); what is timed is the analytics: yield from
clean price, and clean price + modified duration + convexity from yield. QuantLib runs at its
default yield accuracy (1e-10, which flatters it: ours converges to ~1e-15). Each figure is the
best of RUNS runs (7 by default, both sides alike: on a shared machine a few runs of ours, a
few milliseconds each, can all be interrupted). Timed in CPU time of this process
(`time.process_time`): both sides run on one thread, and on a shared machine wall time also
counts the waits for the other processes, which swamp a run of a few milliseconds (a time
slice is about as long) far more than one of a few hundred. The wall-time ratio is printed
too.
Ours is timed twice: at a settlement date the book has not seen (the flows left, their times
and the accrued interest are worked out afresh, as QuantLib does on every call), and again at
the last one (the book keeps its few last settlements, so only the pricing runs).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.bonds import BondTerms
from fixed_income_service.domain.book import bond_arrays, build_book
from fixed_income_service.domain.pricing import price_and_risk, solve_yields
from fixed_income_service.domain.settled import settle
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.random_bonds import random_terms

BONDS = int(os.environ.get("BENCH_BONDS", "10000"))
SETTLEMENT = date(2030, 6, 14)
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


@dataclass(frozen=True)
class Timing:
    """The fastest of several runs, in seconds: CPU time of this process, and wall time."""

    cpu: float
    wall: float


def best_of(runs: int, work: Callable[[], object]) -> Timing:
    """The fastest of `runs` timings of `work`, by CPU time and by wall time."""
    cpu, wall = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return Timing(cpu=min(cpu), wall=min(wall))


def quantlib_yield(bond: ql.Bond, rate: ql.InterestRate, clean: float, when: ql.Date) -> float:
    """QuantLib's yield at a clean price, at its default accuracy."""
    price = ql.BondPrice(clean, ql.BondPrice.Clean)
    return float(
        ql.BondFunctions.bondYield(
            bond, price, rate.dayCounter(), ql.Compounded, rate.frequency(), when
        )
    )


def line(name: str, ours: Timing, quantlib: Timing, target: int | None) -> None:
    """One row of the report: both CPU times and, with a target, the ratio by CPU time and by
    wall time."""
    row = f"  {name:<12} ours {ours.cpu * 1e3:9.1f} ms   QuantLib {quantlib.cpu * 1e3:9.1f} ms"
    if target is not None:
        row += f"   x {quantlib.cpu / ours.cpu:6.1f}   (target x {target})"
        row += f"   wall x {quantlib.wall / ours.wall:6.1f}"
    print(row)


def alive_bonds(count: int) -> list[BondTerms]:
    """`count` seeded random bonds that are alive on the settlement date."""
    rng, index = random.Random(42), 0
    found: list[BondTerms] = []
    while len(found) < count:
        terms = random_terms(rng, index)
        index += 1
        if terms.issue_date <= SETTLEMENT and (terms.maturity_date - SETTLEMENT).days > 40:
            found.append(terms)
    return found


def main() -> int:
    """Print the timings and ratios; exit 0."""
    terms = alive_bonds(BONDS)
    rng = random.Random(7)
    yields = np.array([rng.uniform(0.0, 0.1) for _ in terms])
    started, started_cpu = time.perf_counter(), time.process_time()
    book = build_book([bond_arrays(t) for t in terms])
    ours_build = Timing(time.process_time() - started_cpu, time.perf_counter() - started)
    when = oracle.qdate(SETTLEMENT)
    ql.Settings.instance().evaluationDate = when
    started, started_cpu = time.perf_counter(), time.process_time()
    bonds = [oracle.bond(t) for t in terms]
    rates = [oracle.interest_rate(t, float(y)) for t, y in zip(terms, yields, strict=True)]
    quantlib_build = Timing(time.process_time() - started_cpu, time.perf_counter() - started)

    def quantlib_risk() -> list[tuple[float, float, float]]:
        return [
            (
                ql.BondFunctions.cleanPrice(bond, rate, when),
                ql.BondFunctions.duration(bond, rate, ql.Duration.Modified, when),
                ql.BondFunctions.convexity(bond, rate, when),
            )
            for bond, rate in zip(bonds, rates, strict=True)
        ]

    expected = quantlib_risk()
    clean = np.array([row[0] for row in expected])

    def quantlib_yields() -> list[float]:
        return [
            quantlib_yield(bond, rate, float(price), when)
            for bond, rate, price in zip(bonds, rates, clean, strict=True)
        ]

    # A settlement date the book has not seen for every cold run: settled afresh. The bonds
    # live 40 days past SETTLEMENT, which bounds the runs.
    if not 1 <= RUNS <= 19:
        raise SystemExit("BENCH_RUNS must be 1 to 19")
    cold = iter(range(1, 2 * RUNS + 1))

    def our_risk(day: int = 0) -> np.ndarray:
        settled = settle(book, SETTLEMENT.toordinal() + day)
        risk = price_and_risk(settled, yields, "true")
        clean_prices: np.ndarray = risk.dirty_price - settled.accrued
        return clean_prices

    def our_yields(day: int = 0) -> np.ndarray:
        settled = settle(book, SETTLEMENT.toordinal() + day)
        solved, _ = solve_yields(settled, clean + settled.accrued, "true")
        return solved

    ours_clean = our_risk()
    worst_price = float(np.max(np.abs(ours_clean - clean)))
    worst_yield = float(np.max(np.abs(our_yields() - yields)))
    t_quantlib_risk = best_of(RUNS, quantlib_risk)
    t_quantlib_yields = best_of(RUNS, quantlib_yields)
    t_our_risk_cold = best_of(RUNS, lambda: our_risk(next(cold)))
    t_our_yields_cold = best_of(RUNS, lambda: our_yields(next(cold)))
    t_our_risk = best_of(RUNS, our_risk)
    t_our_yields = best_of(RUNS, our_yields)
    print(f"fixed income: {len(terms):,} bonds, settlement {SETTLEMENT}")
    line("build", ours_build, quantlib_build, None)
    line("yield", t_our_yields_cold, t_quantlib_yields, 10)
    line("price+risk", t_our_risk_cold, t_quantlib_risk, 25)
    print("  the same book priced again at its last settlement date (settled arrays kept):")
    line("yield", t_our_yields, t_quantlib_yields, 10)
    line("price+risk", t_our_risk, t_quantlib_risk, 25)
    print(f"  agreement: clean price {worst_price:.1e} per 100, yield {worst_yield:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
