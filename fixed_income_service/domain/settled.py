"""A book seen from one settlement date: remaining flows, their times, accrued interest.

Two clocks for the same flows. `true`: QuantLib's stepwise day-count time to each actual
payment date. `street`: the day-count fraction of the current period, then exactly 1/frequency
per later regular period (a stub counts its day-count fraction), to the unadjusted dates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.book import CashflowBook
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.yearfractions import DAY_COUNT_CODES, year_fractions

FloatArray = npt.NDArray[np.float64]
ICMA = DAY_COUNT_CODES[DayCount.ACT_ACT_ICMA]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SettledBook:
    """Remaining flows (`flow_bond` ascending, `starts` = each bond's first row) and per-bond data.

    Amounts are per 100 of original face; `scale` turns a bond's sums into per 100 outstanding.
    """

    flow_bond: IntArray
    flow_index: IntArray
    starts: IntArray
    amount: FloatArray
    true_time: FloatArray
    street_time: FloatArray
    frequency: FloatArray
    accrued: FloatArray
    period: IntArray
    scale: FloatArray
    # In its last (coupon or notional) period: the street convention discounts it by simple
    # interest, as SIFMA's formula does.
    final_period: npt.NDArray[np.bool_]

    def times(self, convention: str) -> FloatArray:
        """The flows' times in years under `true` or `street`."""
        return self.street_time if convention == "street" else self.true_time


def first_period_after(book: CashflowBook, first: IntArray, settlement: int) -> IntArray:
    """Per bond, the period its first remaining flow belongs to; for a zero, the notional
    period the settlement falls in."""
    period: IntArray = book.flows["period"][first]
    zero = np.flatnonzero(book.is_zero)
    if len(zero):
        rows = book.zero_periods
        passed = (book.periods["key"][rows] <= settlement).astype(np.int64)
        period[zero] = book.period_start[zero] + np.add.reduceat(passed, book.zero_period_start)
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
    flows, periods = book.flows, book.periods
    bonds = np.arange(book.size, dtype=np.int64)
    paid = (flows["pay"] <= settlement).astype(np.int64)
    first = book.flow_start + np.add.reduceat(paid, book.flow_start)
    counts = book.flow_end - first
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    flow_bond = np.repeat(bonds, counts)
    # Each bond's remaining rows are one run from its first flow after settlement to its end.
    remaining = np.arange(len(flow_bond)) + np.repeat(first - starts, counts)
    period = first_period_after(book, first, settlement)
    codes, n = book.day_count, book.size
    s = np.full(n, settlement, dtype=np.int64)
    start, end = periods["start"][period], periods["end"][period]
    ref_a, ref_b = periods["ref_a"][period], periods["ref_b"][period]
    to_settlement = year_fractions(codes, start, s, ref_a, ref_b)
    first_step = periods["to_pay"][period] - to_settlement
    zero = np.flatnonzero(book.is_zero)
    if len(zero):
        # A zero's only flow is no coupon: QuantLib measures it against the year before it,
        # which for ACT/ACT ICMA means whole years back from the payment (closed form here).
        icma = codes[zero] == ICMA
        first_step[zero[icma]] = _zero_icma_time(book, settlement)[icma]
        other, head = zero[~icma], first[zero[~icma]]
        first_step[other] = year_fractions(
            codes[other], s[other], flows["pay"][head], flows["ref_a"][head], flows["ref_b"][head]
        )
    true_time = (first_step - flows["cum"][first])[flow_bond] + flows["cum"][remaining]
    # The share of the current period still to run, by the day count (Excel's DSC/E); settled
    # after an accrual end but before its postponed payment, that period is over.
    elapsed = to_settlement.copy()
    after_end = np.flatnonzero(s > end)
    if len(after_end):
        elapsed[after_end] = year_fractions(
            codes[after_end], start[after_end], end[after_end], ref_a[after_end],
            ref_b[after_end],
        )  # fmt: skip
    whole = periods["accrual_fraction"][period]
    fraction = periods["length"][period] * (1.0 - elapsed / whole)
    street_time = (fraction - periods["length_cum"][period])[flow_bond]
    street_time += flows["length_cum"][remaining]
    amount = flows["amount"][remaining]
    ex_coupon = np.flatnonzero(flows["ex"][remaining] <= settlement)
    if len(ex_coupon):
        # Traded ex-coupon, the buyer does not get that coupon (principal has no ex date).
        amount[ex_coupon] = 0.0
    scale = 100.0 / periods["outstanding"][period]
    return SettledBook(
        flow_bond=flow_bond,
        flow_index=remaining,
        starts=starts,
        amount=amount,
        true_time=true_time,
        street_time=street_time,
        frequency=book.frequency,
        accrued=_accrued(book, period, settlement, elapsed) * scale,
        period=period,
        scale=scale,
        final_period=period == book.last_period,
    )


def _accrued(
    book: CashflowBook, period: IntArray, settlement: int, elapsed: FloatArray
) -> FloatArray:
    """Accrued interest per 100 original face; negative once the bond trades ex-coupon."""
    periods = book.periods
    start, end, ex = periods["start"][period], periods["end"][period], periods["ex"][period]
    rate = periods["rate_notional"][period]
    s = np.full(book.size, settlement, dtype=np.int64)
    ref_a, ref_b = periods["ref_a"][period], periods["ref_b"][period]
    cum_on = rate * elapsed
    accrued = cum_on.copy()
    trading_ex = np.flatnonzero(settlement >= ex)
    if len(trading_ex):
        # Ex-coupon: the buyer will not get this coupon, so accrued is minus what is left of it.
        left = year_fractions(
            book.day_count[trading_ex], s[trading_ex], np.maximum(s, end)[trading_ex],
            ref_a[trading_ex], ref_b[trading_ex],
        )  # fmt: skip
        accrued[trading_ex] = -rate[trading_ex] * left
    return np.where((settlement <= start) | book.is_zero, 0.0, accrued)


def _zero_icma_time(book: CashflowBook, settlement: int) -> FloatArray:
    """ACT/ACT ICMA time to each zero's payment: whole years back from it, then the share of
    the year the settlement falls in (QuantLib's recursion, in closed form)."""
    marks, start = book.year_marks, book.year_mark_start
    after = np.add.reduceat((marks > settlement).astype(np.int64), start)
    later, earlier = marks[start + after - 1], marks[start + after]
    time: FloatArray = (after - 1) + (later - settlement) / (later - earlier)
    return time
