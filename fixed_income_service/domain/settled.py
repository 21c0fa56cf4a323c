"""A book seen from one settlement date: remaining flows, their times, accrued interest.

Two clocks for the same flows. `true`: QuantLib's stepwise day-count time to each actual
payment date. `street`: the day-count fraction of the current period, then exactly 1/frequency
per later regular period (a stub counts its day-count fraction), to the unadjusted dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.book import CashflowBook
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.yearfractions import (
    DAY_COUNT_CODES,
    year_fractions,
)

FloatArray = npt.NDArray[np.float64]
ICMA = DAY_COUNT_CODES[DayCount.ACT_ACT_ICMA]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SettledBook:
    """Remaining flows (bond by bond, `starts` = each bond's first row) and per-bond data.

    Amounts are per 100 of original face; `scale` turns a bond's sums into per 100 outstanding.
    """

    flow_index: IntArray
    starts: IntArray
    counts: IntArray
    amount: FloatArray
    # Each clock's time to a flow is the book's cumulative time to it plus its bond's offset:
    # worked out for the flows only when that clock is first asked for.
    book_flows: dict[str, npt.NDArray[Any]]
    true_offset: FloatArray
    street_offset: FloatArray
    frequency: FloatArray
    accrued: FloatArray
    period: IntArray
    scale: FloatArray
    # In its last (coupon or notional) period: the street convention discounts it by simple
    # interest, as SIFMA's formula does.
    final_period: npt.NDArray[np.bool_]

    @cached_property
    def true_time(self) -> FloatArray:
        """QuantLib's stepwise day-count time to each remaining flow, in years."""
        true: FloatArray = self.book_flows["cum"].take(self.flow_index)
        true += self.per_flow(self.true_offset)
        return true

    @cached_property
    def street_time(self) -> FloatArray:
        """The street convention's time to each remaining flow, in years."""
        street: FloatArray = self.book_flows["length_cum"].take(self.flow_index)
        street += self.per_flow(self.street_offset)
        return street

    @cached_property
    def flow_bond(self) -> IntArray:
        """Each remaining flow's bond (its row in the book)."""
        return np.repeat(np.arange(len(self.counts), dtype=np.int64), self.counts)

    def per_flow(self, values: FloatArray) -> FloatArray:
        """A per-bond figure repeated onto each of the bond's remaining flows."""
        return np.repeat(values, self.counts)

    def times(self, convention: str) -> FloatArray:
        """The flows' times in years under `true` or `street`."""
        return self.street_time if convention == "street" else self.true_time


def first_period_after(book: CashflowBook, head_period: IntArray, settlement: int) -> IntArray:
    """Per bond, the period its first remaining flow (of period `head_period`) belongs to; for a
    zero, the notional period the settlement falls in."""
    period = head_period.copy()
    zero = np.flatnonzero(book.is_zero)
    if len(zero):
        passed = (book.zero_period_key <= settlement).view(np.uint8)
        counted = np.add.reduceat(passed, book.zero_period_start, dtype=np.int64)
        period[zero] = book.period_start[zero] + counted
    return period


def settle(book: CashflowBook, settlement: int) -> SettledBook:
    """The book at `settlement` (a date ordinal); every bond must have a flow after it.

    The last few settlements of a book are kept on it: settling again is a lookup.
    """
    if settlement not in book.settled:
        if len(book.settled) >= 4:
            book.settled.pop(next(iter(book.settled)))
        book.settled[settlement] = _settle(book, settlement)
    settled: SettledBook = book.settled[settlement]
    return settled


def _settle(book: CashflowBook, settlement: int) -> SettledBook:
    flows = book.flows
    # Each bond's flows are in payment order, so its remaining flows are one run from its first
    # flow after settlement to its end; one pass over the payment dates counts those paid.
    paid = (book.flow_pay <= settlement).view(np.uint8)
    first = book.flow_start + np.add.reduceat(paid, book.flow_start, dtype=np.int64)
    counts = book.flow_end - first
    starts = np.cumsum(counts) - counts
    remaining = np.arange(int(counts.sum())) + np.repeat(first - starts, counts)
    head = book.flow_heads.take(first, axis=0)  # period, cum, ex_ahead of each first flow
    period = first_period_after(book, head[:, 0].astype(np.int64), settlement)
    row = book.period_rows.take(period, axis=0)  # PERIOD_ROW's facts of each current period
    start, end, ref_a, ref_b = (row[:, column].astype(np.int64) for column in range(4))
    to_pay, whole, length, length_cum, outstanding, rate, ex = (row[:, c] for c in range(4, 11))
    codes, n = book.day_count, book.size
    s = np.full(n, settlement, dtype=np.int64)
    to_settlement = _since_start(row, start, settlement)
    curved = np.flatnonzero((settlement < row[:, 11]) | (settlement > row[:, 12]))
    if len(curved):
        to_settlement[curved] = year_fractions(
            codes[curved], start[curved], s[curved], ref_a[curved], ref_b[curved]
        )
    first_step = to_pay - to_settlement
    zero = np.flatnonzero(book.is_zero)
    if len(zero):
        # A zero's only flow is no coupon: QuantLib measures it against the year before it,
        # which for ACT/ACT ICMA means whole years back from the payment (closed form here).
        icma = codes[zero] == ICMA
        first_step[zero[icma]] = _zero_icma_time(book, settlement)[icma]
        other, only = zero[~icma], first[zero[~icma]]
        first_step[other] = year_fractions(
            codes[other], s[other], flows["pay"][only], flows["ref_a"][only], flows["ref_b"][only]
        )
    # The share of the current period still to run, by the day count (Excel's DSC/E); settled
    # after an accrual end but before its postponed payment, that period is over.
    elapsed = to_settlement.copy()
    after_end = np.flatnonzero(s > end)
    if len(after_end):
        elapsed[after_end] = year_fractions(
            codes[after_end], start[after_end], end[after_end], ref_a[after_end],
            ref_b[after_end],
        )  # fmt: skip
    fraction = length * (1.0 - elapsed / whole)
    amount = flows["amount"].take(remaining)
    ex_coupon = _ex_coupon_rows(book, head[:, 2], starts, counts, remaining, settlement)
    if len(ex_coupon):
        # Traded ex-coupon, the buyer does not get that coupon (principal has no ex date).
        amount[ex_coupon] = 0.0
    scale = 100.0 / outstanding
    accrued = _accrued(book, settlement, (start, end, ref_a, ref_b), rate, ex, elapsed)
    return SettledBook(
        flow_index=remaining,
        starts=starts,
        counts=counts,
        amount=amount,
        book_flows=flows,
        true_offset=first_step - head[:, 1],
        street_offset=fraction - length_cum,
        frequency=book.frequency,
        accrued=accrued * scale,
        period=period,
        scale=scale,
        final_period=period == book.last_period,
    )


def _since_start(row: FloatArray, start: IntArray, settlement: int) -> FloatArray:
    """The day-count fraction from each period's start to `settlement` where it is linear in
    days (`linear_accruals`); the caller recomputes the rest."""
    since: FloatArray = row[:, 13] * (settlement - start) / row[:, 14]
    return since


def _ex_coupon_rows(
    book: CashflowBook,
    ex_ahead: FloatArray,
    starts: IntArray,
    counts: IntArray,
    remaining: IntArray,
    settlement: int,
) -> IntArray:
    """The remaining rows whose coupon trades ex at `settlement`; only the bonds with such a
    flow left (`ex_ahead`: the earliest ex date of each bond's remaining flows) are looked at
    flow by flow."""
    bonds = np.flatnonzero(ex_ahead <= settlement)
    if not len(bonds):
        return bonds
    sizes = counts[bonds]
    shift = starts[bonds] - (np.cumsum(sizes) - sizes)
    rows = np.arange(int(sizes.sum())) + np.repeat(shift, sizes)
    found: IntArray = rows[book.flows["ex"][remaining[rows]] <= settlement]
    return found


def _accrued(
    book: CashflowBook,
    settlement: int,
    dates: tuple[IntArray, IntArray, IntArray, IntArray],
    rate: FloatArray,
    ex: FloatArray,
    elapsed: FloatArray,
) -> FloatArray:
    """Accrued interest per 100 original face; negative once the bond trades ex-coupon.

    `dates` are each bond's current period: start, end and reference period.
    """
    start, end, ref_a, ref_b = dates
    accrued = rate * elapsed
    trading_ex = np.flatnonzero(settlement >= ex)
    if len(trading_ex):
        # Ex-coupon: the buyer will not get this coupon, so accrued is minus what is left of it.
        s = np.full(len(trading_ex), settlement, dtype=np.int64)
        left = year_fractions(
            book.day_count[trading_ex], s, np.maximum(s, end[trading_ex]), ref_a[trading_ex],
            ref_b[trading_ex],
        )  # fmt: skip
        accrued[trading_ex] = -rate[trading_ex] * left
    return np.where((settlement <= start) | book.is_zero, 0.0, accrued)


def _zero_icma_time(book: CashflowBook, settlement: int) -> FloatArray:
    """ACT/ACT ICMA time to each zero's payment: whole years back from it, then the share of
    the year the settlement falls in (QuantLib's recursion, in closed form)."""
    marks, start = book.year_marks, book.year_mark_start
    after = np.add.reduceat((marks > settlement).view(np.uint8), start, dtype=np.int64)
    later, earlier = marks[start + after - 1], marks[start + after]
    time: FloatArray = (after - 1) + (later - settlement) / (later - earlier)
    return time
