"""The struct-of-arrays core: every bond's flows and periods as flat numpy arrays.

Each bond's arrays are built once from its terms and cached; a book is their concatenation,
with bond numbers so that sums per bond are segment sums. Everything here is independent of
the settlement date: `settled.settle` does the settlement-dependent part, vectorised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.bonds import BondTerms, BondType, Call
from fixed_income_service.domain.cashflows import (
    Cashflow,
    bond_cashflows,
    bond_schedule,
    cashflows_to_call,
)
from fixed_income_service.domain.daycounts import year_fraction
from fixed_income_service.domain.months import add_months
from fixed_income_service.domain.yearfractions import DAY_COUNT_CODES, linear_accruals

NEVER = date.max.toordinal()
PERIOD_ROW = (
    "start", "end", "ref_a", "ref_b", "to_pay", "accrual_fraction", "length", "length_cum",
    "outstanding", "rate_notional", "ex", "linear_first", "linear_last", "linear_factor",
    "linear_days",
)  # fmt: skip
FLOW_HEAD = ("period", "cum", "ex_ahead")
SPAN = 1 << 22  # above every date ordinal (NEVER included): keys of one bond never overlap
FLOW_FIELDS = ("pay", "amount", "is_coupon", "period", "step", "ref_a", "ref_b", "cum")
PERIOD_FIELDS = (
    "start", "end", "ref_a", "ref_b", "key", "length", "outstanding", "rate_notional", "ex",
    "to_pay", "accrual_fraction", "length_cum",
)  # fmt: skip


@dataclass(frozen=True)
class BondArrays:
    """One bond's flows and accrual periods as arrays (see FLOW_FIELDS, PERIOD_FIELDS)."""

    flows: dict[str, npt.NDArray[Any]]
    periods: dict[str, npt.NDArray[Any]]
    frequency: int
    day_count: int
    is_zero: bool
    year_marks: npt.NDArray[np.int64]


def _step(terms: BondTerms, flow: Cashflow, last: date) -> float:
    """QuantLib's stepwise discount time from the previous payment `last` to this flow."""
    dc = terms.day_count
    if flow.kind != "coupon":
        return year_fraction(dc, last, flow.payment_date, last, flow.payment_date)
    ref = (flow.reference_start, flow.reference_end)
    if last != flow.accrual_start:
        return year_fraction(dc, flow.accrual_start, flow.payment_date, *ref) - year_fraction(
            dc, flow.accrual_start, last, *ref
        )
    return year_fraction(dc, last, flow.payment_date, *ref)


def _period_rate(terms: BondTerms, period: int) -> float:
    """The coupon rate of period `period` (0-based): projected for an FRN, else the coupon."""
    return terms.projected_rates[period] if terms.projected_rates else terms.coupon_rate


@lru_cache(maxsize=200_000)
def bond_arrays(terms: BondTerms) -> BondArrays:
    """The bond's arrays, built once per distinct terms."""
    return _arrays(terms, bond_cashflows(terms))


@lru_cache(maxsize=200_000)
def bond_arrays_to_call(terms: BondTerms, call: Call) -> BondArrays:
    """The arrays of the bond redeemed at `call` (for yields to call)."""
    return _arrays(terms, cashflows_to_call(terms, call))


def _arrays(terms: BondTerms, flows: tuple[Cashflow, ...]) -> BondArrays:
    dc, f = terms.day_count, terms.frequency
    if terms.bond_type is BondType.ZERO:
        schedule = bond_schedule(terms)
        pay = flows[0].payment_date
        periods = []
        for i in range(1, len(schedule.dates)):
            start, end = schedule.dates[i - 1], schedule.dates[i]
            ref_a = schedule.notional_period_start(end) if i == 1 else start
            whole = year_fraction(dc, start, end, ref_a, end)
            length = 1.0 / f if schedule.regular[i - 1] else whole
            periods.append((start, end, ref_a, end, end, length, 100.0, 0.0, NEVER, 0.0, whole))
        year_before = add_months(pay, -12)
        flow_rows = [(pay, flows[0].amount, False, len(periods) - 1, 0.0, year_before, pay)]
        marks = [pay]
        while marks[-1] > terms.issue_date:
            marks.append(add_months(marks[-1], -12))
    else:
        marks = []
        periods, flow_rows, last = [], [], flows[0].payment_date
        for flow in flows:
            if flow.kind == "coupon":
                ref = (flow.reference_start, flow.reference_end)
                whole = year_fraction(dc, flow.accrual_start, flow.accrual_end, *ref)
                to_pay = (
                    whole
                    if flow.payment_date == flow.accrual_end
                    else year_fraction(dc, flow.accrual_start, flow.payment_date, *ref)
                )
                periods.append((
                    flow.accrual_start, flow.accrual_end, *ref, flow.payment_date,
                    1.0 / f if flow.regular else whole,
                    flow.outstanding, flow.outstanding * _period_rate(terms, len(periods)),
                    flow.ex_coupon_date.toordinal() if flow.ex_coupon_date else NEVER,
                    to_pay, whole,
                ))  # fmt: skip
                # QuantLib's stepwise time from the previous payment (see `_step`), reusing
                # the fractions just computed when the previous payment starts this period.
                step = to_pay if last == flow.accrual_start else _step(terms, flow, last)
            else:
                step = _step(terms, flow, last)
            flow_rows.append((
                flow.payment_date, flow.amount, flow.kind == "coupon", len(periods) - 1, step,
                flow.reference_start, flow.reference_end,
            ))  # fmt: skip
            last = flow.payment_date
    flow_columns = _columns(FLOW_FIELDS[:-1], flow_rows)
    steps = flow_columns["step"].copy()
    steps[0] = 0.0  # the first step is the settlement's: `settled` replaces it
    flow_columns["cum"] = np.cumsum(steps)
    period_columns = _columns(PERIOD_FIELDS[:-1], periods)
    period_columns["length_cum"] = np.cumsum(period_columns["length"])
    return BondArrays(
        flows=flow_columns,
        periods=period_columns,
        frequency=f,
        day_count=DAY_COUNT_CODES[dc],
        is_zero=terms.bond_type is BondType.ZERO,
        year_marks=np.array([m.toordinal() for m in marks], dtype=np.int64),
    )


def _columns(
    names: tuple[str, ...], rows: Sequence[tuple[object, ...]]
) -> dict[str, npt.NDArray[Any]]:
    columns: dict[str, npt.NDArray[Any]] = {}
    for index, name in enumerate(names):
        values = [row[index] for row in rows]
        if values and isinstance(values[0], date):
            columns[name] = np.array([v.toordinal() for v in values], dtype=np.int64)  # type: ignore[attr-defined]
        elif values and isinstance(values[0], bool):
            columns[name] = np.array(values, dtype=bool)
        elif name in ("period", "ex"):
            columns[name] = np.array(values, dtype=np.int64)
        else:
            columns[name] = np.array(values, dtype=np.float64)
    return columns


@dataclass(frozen=True)
class CashflowBook:
    """Many bonds' arrays end to end; `flow_bond` / `period_bond` say whose row it is."""

    flows: dict[str, npt.NDArray[Any]]
    periods: dict[str, npt.NDArray[Any]]
    flow_bond: npt.NDArray[np.int64]
    flow_end: npt.NDArray[np.int64]
    period_bond: npt.NDArray[np.int64]
    period_offset: npt.NDArray[np.int64]
    frequency: npt.NDArray[np.float64]
    day_count: npt.NDArray[np.int64]
    is_zero: npt.NDArray[np.bool_]
    flow_start: npt.NDArray[np.int64]
    period_start: npt.NDArray[np.int64]
    last_period: npt.NDArray[np.int64]
    # Zero-coupon bonds only, in book order: each one's payment date and the dates 12, 24, ...
    # months before it (stepped one year at a time, as QuantLib's ACT/ACT ICMA recursion does).
    year_marks: npt.NDArray[np.int64]
    year_mark_start: npt.NDArray[np.int64]
    # The notional periods of the zero-coupon bonds, in book order (for the street clock).
    zero_periods: npt.NDArray[np.int64]
    zero_period_start: npt.NDArray[np.int64]
    # The flows' payment dates again, in 32 bits: the one pass over every flow when settling
    # reads half the bytes.
    flow_pay: npt.NDArray[np.int32]
    # Per flow, the earliest ex-coupon date among it and the bond's later flows: a bond with
    # no remaining flow trading ex skips the per-flow check.
    ex_ahead: npt.NDArray[np.int64]
    # The keys (ends) of `zero_periods`, in 32 bits for the pass that counts those passed.
    zero_period_key: npt.NDArray[np.int32]
    # Rows of period (PERIOD_ROW) and flow (FLOW_HEAD) facts side by side, as floats (date
    # ordinals are exact): settling gathers each bond's row in one sweep, not field by field.
    period_rows: npt.NDArray[np.float64]
    flow_heads: npt.NDArray[np.float64]
    # The book seen from recent settlement dates (see `settled.settle`): pricing the same book
    # again at another yield, or for another measure, does not settle it again.
    settled: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def size(self) -> int:
        """Number of bonds in the book."""
        return len(self.frequency)


def build_book(bonds: list[BondArrays]) -> CashflowBook:
    """Concatenate bonds into one book (period numbers become global)."""
    flow_counts = np.array([len(b.flows["pay"]) for b in bonds], dtype=np.int64)
    period_counts = np.array([len(b.periods["start"]) for b in bonds], dtype=np.int64)
    period_offset = np.concatenate(([0], np.cumsum(period_counts)[:-1])).astype(np.int64)
    flows = {name: np.concatenate([b.flows[name] for b in bonds]) for name in FLOW_FIELDS}
    periods = {name: np.concatenate([b.periods[name] for b in bonds]) for name in PERIOD_FIELDS}
    flow_bond = np.repeat(np.arange(len(bonds)), flow_counts)
    flows["period"] = flows["period"] + period_offset[flow_bond]
    # Period facts each flow needs at every settlement, gathered once here.
    flows["ex"] = np.where(flows["is_coupon"], periods["ex"][flows["period"]], NEVER)
    flows["length_cum"] = periods["length_cum"][flows["period"]]
    period_bond = np.repeat(np.arange(len(bonds)), period_counts)
    mark_counts = np.array([len(b.year_marks) for b in bonds if b.is_zero], dtype=np.int64)
    zeros = np.flatnonzero([b.is_zero for b in bonds])
    zero_periods = [np.arange(period_offset[z], period_offset[z] + period_counts[z]) for z in zeros]
    zero_rows = np.concatenate([np.zeros(0, dtype=np.int64), *zero_periods])
    year_marks = np.concatenate([b.year_marks for b in bonds])
    day_count = np.array([b.day_count for b in bonds], dtype=np.int64)
    ex_ahead = _later_minimum(flows["ex"], flow_bond)
    # Where accrual from each period's start is linear in days (see `linear_accruals`).
    periods.update(zip(
        ("linear_first", "linear_last", "linear_factor", "linear_days"),
        linear_accruals(day_count[period_bond], periods["start"], periods["ref_a"],
                        periods["ref_b"]),
        strict=True,
    ))  # fmt: skip
    return CashflowBook(
        flows=flows,
        periods=periods,
        flow_bond=flow_bond,
        flow_end=np.cumsum(flow_counts).astype(np.int64),
        flow_start=(np.cumsum(flow_counts) - flow_counts).astype(np.int64),
        period_start=period_offset,
        last_period=period_offset + period_counts - 1,
        period_bond=period_bond,
        period_offset=period_offset,
        frequency=np.array([b.frequency for b in bonds], dtype=np.float64),
        day_count=day_count,
        is_zero=np.array([b.is_zero for b in bonds], dtype=bool),
        year_marks=year_marks,
        year_mark_start=(np.cumsum(mark_counts) - mark_counts).astype(np.int64),
        zero_periods=zero_rows,
        zero_period_start=(np.cumsum(period_counts[zeros]) - period_counts[zeros]).astype(np.int64),
        flow_pay=flows["pay"].astype(np.int32),
        ex_ahead=ex_ahead,
        period_rows=np.column_stack([periods[name] for name in PERIOD_ROW]).astype(np.float64),
        flow_heads=np.column_stack(
            [flows["period"], flows["cum"], ex_ahead.astype(np.float64)]
        ).astype(np.float64),
        zero_period_key=periods["key"][zero_rows].astype(np.int32),
    )


def _later_minimum(
    values: npt.NDArray[np.int64], owner: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Per row, the minimum of `values` over that row and the later rows of the same owner."""
    # Backwards, each owner's rows lie SPAN below the previous owner's, so a running minimum
    # never carries one owner's value into another's.
    shift = (owner[::-1] - owner[-1]) * SPAN if len(owner) else owner
    running = np.minimum.accumulate(values[::-1] + shift)
    later: npt.NDArray[np.int64] = (running - shift)[::-1]
    return later
