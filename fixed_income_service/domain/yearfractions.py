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
_CODE = DAY_COUNT_CODES
EPOCH = date(1970, 1, 1).toordinal()
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _ymd(ordinals: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    days = (ordinals - EPOCH).astype("datetime64[D]")
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years).astype(np.int64) + 1
    day = (days - months).astype(np.int64) + 1
    return year, month, day


def _month_length(year: IntArray, month: IntArray) -> IntArray:
    first = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    length: IntArray = (first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")
    return length.astype(np.int64)


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
    jan1_next = ((y1 + 1 - 1970).astype("datetime64[Y]")).astype("datetime64[D]").astype(np.int64)
    jan1_last = ((y2 - 1970).astype("datetime64[Y]")).astype("datetime64[D]").astype(np.int64)
    len1 = np.where(_month_length(y1, np.full_like(y1, 2)) == 29, 366.0, 365.0)
    len2 = np.where(_month_length(y2, np.full_like(y2, 2)) == 29, 366.0, 365.0)
    same = (hi - lo) / len1
    spread = (jan1_next + EPOCH - lo) / len1 + (y2 - y1 - 1) + (hi - EPOCH - jan1_last) / len2
    value = np.where(y1 == y2, same, spread)
    return np.where(b < a, -value, value)


def year_fractions(
    codes: IntArray, a: IntArray, b: IntArray, ref_a: IntArray, ref_b: IntArray
) -> FloatArray:
    """Year fractions from `a` to `b` (ordinals), each with its day-count code and reference."""
    out = (b - a) / 360.0
    act365 = codes == _CODE[DayCount.ACT_365F]
    out[act365] = (b[act365] - a[act365]) / 365.0
    for convention, us in ((DayCount.THIRTY_360_US, True), (DayCount.THIRTY_E_360, False)):
        mask = codes == _CODE[convention]
        if mask.any():
            out[mask] = _thirty_360(a[mask], b[mask], us)
    isda = codes == _CODE[DayCount.ACT_ACT_ISDA]
    if isda.any():
        out[isda] = _isda(a[isda], b[isda])
    icma = codes == _CODE[DayCount.ACT_ACT_ICMA]
    if icma.any():
        out[icma] = _icma(a[icma], b[icma], ref_a[icma], ref_b[icma])
    return out


def _icma(a: IntArray, b: IntArray, ref_a: IntArray, ref_b: IntArray) -> FloatArray:
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    span = ref_b - ref_a
    months = np.floor(12 * span / 365 + 0.5)
    simple = (lo >= ref_a) & (hi <= ref_b) & (months > 0)
    value = np.zeros(len(a))
    value[simple] = (months[simple] / 12.0) * (hi - lo)[simple] / span[simple]
    for i in np.flatnonzero(~simple):
        value[i] = year_fraction(
            DayCount.ACT_ACT_ICMA,
            date.fromordinal(int(lo[i])),
            date.fromordinal(int(hi[i])),
            date.fromordinal(int(ref_a[i])),
            date.fromordinal(int(ref_b[i])),
        )
    return np.where(b < a, -value, value)
