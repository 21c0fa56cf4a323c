"""Year fractions over arrays of dates (day ordinals), for many bonds at once.

The same rules as `daycounts.year_fraction`; the rare ACT/ACT ICMA pieces that straddle their
reference period (long stubs, payment dates pushed past a period end) fall back to it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.daycounts import DayCount, year_fraction

DAY_COUNT_CODES = {convention: code for code, convention in enumerate(DayCount)}
_CONVENTIONS = tuple(DayCount)
EPOCH = date(1970, 1, 1).toordinal()
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


# Calendar facts of every day the engine can meet, looked up instead of recomputed: the
# dates of a bond and its settlement lie between these years (checked with the bond's terms).
FIRST_DAY, LAST_DAY = date(1900, 1, 1).toordinal(), date(2200, 12, 31).toordinal()
_DAYS = np.arange(FIRST_DAY - EPOCH, LAST_DAY - EPOCH + 1).astype("datetime64[D]")
_MONTHS = _DAYS.astype("datetime64[M]")
_YEAR = _DAYS.astype("datetime64[Y]").astype(np.int64) + 1970
_MONTH = (_MONTHS - _DAYS.astype("datetime64[Y]").astype("datetime64[M]")).astype(np.int64) + 1
_DAY = (_DAYS - _MONTHS.astype("datetime64[D]")).astype(np.int64) + 1
# Month index (year * 12 + month - 1) → ordinal of its first day and its length.
_FIRST_MONTH = 1900 * 12
_MONTH_START = (
    np.arange(1900 * 12 - 1970 * 12, 2201 * 12 - 1970 * 12 + 1).astype("datetime64[M]")
).astype("datetime64[D]").astype(np.int64) + EPOCH
_MONTH_LENGTH = np.diff(_MONTH_START)


def _ymd(ordinals: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    offset = ordinals - FIRST_DAY
    return _YEAR[offset], _MONTH[offset], _DAY[offset]


def _month_length(year: IntArray, month: IntArray) -> IntArray:
    length: IntArray = _MONTH_LENGTH[year * 12 + month - 1 - _FIRST_MONTH]
    return length


def _thirty_360(a: IntArray, b: IntArray, us: bool) -> FloatArray:
    y1, m1, d1 = _ymd(a)
    y2, m2, d2 = _ymd(b)
    if us:
        feb1 = (m1 == 2) & (d1 == _month_length(y1, m1))
        feb2 = (m2 == 2) & (d2 == _month_length(y2, m2))
        d2 = np.where(feb1 & feb2, 30, d2)
        d1 = np.where(feb1, 30, d1)
        d2 = np.where((d2 == 31) & (d1 >= 30), 30, d2)
        d1 = np.where(d1 == 31, 30, d1)
    else:
        d1, d2 = np.minimum(d1, 30), np.minimum(d2, 30)
    days: IntArray = 360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1)
    return days / 360.0


def _isda(a: IntArray, b: IntArray) -> FloatArray:
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    y1, _, _ = _ymd(lo)
    y2, _, _ = _ymd(hi)
    jan1_next = _MONTH_START[(y1 + 1) * 12 - _FIRST_MONTH]
    jan1_last = _MONTH_START[y2 * 12 - _FIRST_MONTH]
    len1 = np.where(_month_length(y1, np.full_like(y1, 2)) == 29, 366.0, 365.0)
    len2 = np.where(_month_length(y2, np.full_like(y2, 2)) == 29, 366.0, 365.0)
    same = (hi - lo) / len1
    spread = (jan1_next - lo) / len1 + (y2 - y1 - 1) + (hi - jan1_last) / len2
    value = np.where(y1 == y2, same, spread)
    return np.where(b < a, -value, value)


def year_fractions(
    codes: IntArray, a: IntArray, b: IntArray, ref_a: IntArray, ref_b: IntArray
) -> FloatArray:
    """Year fractions from `a` to `b` (ordinals), each with its day-count code and reference."""
    rows = tuple(np.flatnonzero(codes == code) for code in range(len(DayCount)))
    return year_fractions_by_code(rows, a, b, ref_a, ref_b)


def year_fractions_by_code(
    rows_by_code: tuple[IntArray, ...], a: IntArray, b: IntArray, ref_a: IntArray, ref_b: IntArray
) -> FloatArray:
    """`year_fractions` with the rows of each day-count code (in code order) already known."""
    out = np.empty(len(a))
    for code, rows in enumerate(rows_by_code):
        if len(rows):
            out[rows] = _fractions(code, a[rows], b[rows], ref_a[rows], ref_b[rows])
    return out


def _fractions(code: int, a: IntArray, b: IntArray, ref_a: IntArray, ref_b: IntArray) -> FloatArray:
    convention = _CONVENTIONS[code]
    if convention is DayCount.ACT_360:
        return (b - a) / 360.0
    if convention is DayCount.ACT_365F:
        return (b - a) / 365.0
    if convention in (DayCount.THIRTY_360_US, DayCount.THIRTY_E_360):
        return _thirty_360(a, b, convention is DayCount.THIRTY_360_US)
    if convention is DayCount.ACT_ACT_ISDA:
        return _isda(a, b)
    return _icma(a, b, ref_a, ref_b)


def linear_accruals(
    codes: IntArray, start: IntArray, ref_a: IntArray, ref_b: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Where the fraction from a period's `start` to a date `s` is `factor * (s - start) / days`.

    Per period: the first and last `s` of that stretch (an empty one for 30/360, which is
    not linear in days), `factor` and `days`, chosen so that the product is computed exactly as
    `year_fractions` computes it there: ACT/360 and ACT/365F everywhere, ACT/ACT ISDA within
    the start's calendar year, ACT/ACT ICMA inside the reference period when it holds `start`.
    """
    n = len(codes)
    first, last = np.full(n, np.inf), np.full(n, -np.inf)
    factor, days = np.ones(n), np.ones(n)
    for convention, length in ((DayCount.ACT_360, 360.0), (DayCount.ACT_365F, 365.0)):
        rows = codes == DAY_COUNT_CODES[convention]
        first[rows], last[rows], days[rows] = -np.inf, np.inf, length
    isda = np.flatnonzero(codes == DAY_COUNT_CODES[DayCount.ACT_ACT_ISDA])
    year, _, _ = _ymd(start[isda])
    first[isda], last[isda] = start[isda], _MONTH_START[(year + 1) * 12 - _FIRST_MONTH] - 1
    days[isda] = np.where(_month_length(year, np.full_like(year, 2)) == 29, 366.0, 365.0)
    months = _months_of(ref_b - ref_a)
    icma = np.flatnonzero(
        (codes == DAY_COUNT_CODES[DayCount.ACT_ACT_ICMA])
        & (months > 0) & (start >= ref_a) & (start <= ref_b)
    )  # fmt: skip
    first[icma], last[icma] = ref_a[icma], ref_b[icma]
    factor[icma], days[icma] = months[icma] / 12.0, ref_b[icma] - ref_a[icma]
    return first, last, factor, days


def add_months_array(ordinals: IntArray, months: IntArray) -> IntArray:
    """`months.add_months` over arrays: the day is clamped to the new month's length."""
    offset = ordinals - FIRST_DAY
    index = _YEAR[offset] * 12 + _MONTH[offset] - 1 + months - _FIRST_MONTH
    moved: IntArray = _MONTH_START[index] + np.minimum(_DAY[offset], _MONTH_LENGTH[index]) - 1
    return moved


def _months_of(span: IntArray) -> IntArray:
    rounded: IntArray = np.floor(12 * span / 365 + 0.5).astype(np.int64)
    return rounded


def _icma(a: IntArray, b: IntArray, ref_a: IntArray, ref_b: IntArray) -> FloatArray:
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    months = _months_of(ref_b - ref_a)
    value = np.zeros(len(a))
    inside = (lo >= ref_a) & (hi <= ref_b) & (months > 0)
    value[inside] = _share(lo[inside], hi[inside], ref_a[inside], ref_b[inside])
    if inside.all():
        return np.where(b < a, -value, value)
    # Stretches reaching outside their reference period (stubs, a zero's life) are rarer.
    back = (lo < ref_a) & (hi <= ref_b) & (months > 0)
    if back.any():
        value[back] = _icma_backward(lo[back], hi[back], ref_a[back], ref_b[back])
    ahead = (lo >= ref_a) & (hi > ref_b) & (months > 0)
    if ahead.any():
        value[ahead] = _icma_forward(lo[ahead], hi[ahead], ref_a[ahead], ref_b[ahead])
    for i in np.flatnonzero(~(inside | back | ahead)):
        value[i] = year_fraction(
            DayCount.ACT_ACT_ICMA,
            date.fromordinal(int(lo[i])),
            date.fromordinal(int(hi[i])),
            date.fromordinal(int(ref_a[i])),
            date.fromordinal(int(ref_b[i])),
        )
    return np.where(b < a, -value, value)


def _share(lo: IntArray, hi: IntArray, ref_a: IntArray, ref_b: IntArray) -> FloatArray:
    """The ICMA fraction of a stretch inside its reference period."""
    share: FloatArray = (_months_of(ref_b - ref_a) / 12.0) * (hi - lo) / (ref_b - ref_a)
    return share


def _icma_backward(lo: IntArray, hi: IntArray, ref_a: IntArray, ref_b: IntArray) -> FloatArray:
    """A stretch starting before its reference period (a long first stub, a zero's life): peel
    whole notional periods off backwards, as the scalar rule's recursion does."""
    value = np.where(hi > ref_a, _share(ref_a, np.maximum(hi, ref_a), ref_a, ref_b), 0.0)
    hi = np.minimum(hi, ref_a)
    ref_b, ref_a = ref_a, add_months_array(ref_a, -_months_of(ref_b - ref_a))
    rows = np.arange(len(lo))
    while len(rows):
        # Only the stretches not yet reduced to one period go round again.
        done = lo >= ref_a
        value[rows[done]] += _share(lo[done], hi[done], ref_a[done], ref_b[done])
        left = ~done
        rows, lo, hi, ref_a, ref_b = rows[left], lo[left], hi[left], ref_a[left], ref_b[left]
        value[rows] += _share(ref_a, hi, ref_a, ref_b)
        hi = ref_a
        ref_b, ref_a = ref_a, add_months_array(ref_a, -_months_of(ref_b - ref_a))
    return value


def _icma_forward(lo: IntArray, hi: IntArray, ref_a: IntArray, ref_b: IntArray) -> FloatArray:
    """A stretch running past its reference period: whole notional periods after it, then the
    share of the one it ends in."""
    months = _months_of(ref_b - ref_a)
    value = _share(lo, ref_b, ref_a, ref_b)
    count = np.zeros(len(lo), dtype=np.int64)
    active = np.ones(len(lo), dtype=bool)
    while active.any():
        end = add_months_array(ref_b, months * (count + 1))
        passed = active & (hi >= end)
        value[passed] += months[passed] / 12.0
        count[passed] += 1
        active = passed
    start = add_months_array(ref_b, months * count)
    end = add_months_array(ref_b, months * (count + 1))
    return value + _share(start, hi, start, end)
