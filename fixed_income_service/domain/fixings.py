"""FRN coupons from realised fixings: what a period paid, once every overnight rate of it is
known, and what has accrued by a date.

The same compounding as `overnight.compounded_rate` (interest days, lookback without
observation shift), with each overnight rate the index's stored fixing for its fixing date
instead of a curve's forecast. A rate not stored yet is missing: nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import numpy as np

from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.calendars import adjust
from fixed_income_service.domain.cashflows import bond_cashflows, bond_schedule
from fixed_income_service.domain.daycounts import year_fraction
from fixed_income_service.domain.overnight import interest_days
from fixed_income_service.domain.refusals import Refusal

Fixings = Mapping[date, Decimal]
# Lookback is at most 10 business days: no fixing a period needs is a month before its start.
LOOKBACK_WINDOW = timedelta(days=31)


class MissingFixings(Refusal):
    """Some overnight rates a period needs are not stored yet."""

    def __init__(self, missing: Iterable[date]):
        self.missing = tuple(missing)
        shown = ", ".join(str(day) for day in self.missing[:5])
        super().__init__("fixing-missing", f"no fixing stored yet for {shown}")


@dataclass(frozen=True)
class Realised:
    """An FRN's terms with the rate (index + spread) of every period ended by `today` whose
    fixings are all stored; `waiting` names, per period still short of fixings, its end and
    the fixing dates missing. Periods not ended, and the waiting ones, have rate 0 (nothing
    is paid for them yet)."""

    terms: BondTerms
    waiting: tuple[tuple[date, tuple[date, ...]], ...]


def realised_rate(terms: BondTerms, fixings: Fixings, start: date, end: date) -> float:
    """The compounded overnight rate from `start` to `end` (annual decimal) from the stored
    fixings; `fixing-missing` names the dates not stored."""
    _, fixing_days, weights = interest_days(terms, start, end)
    missing = sorted({day for day in fixing_days if day not in fixings})
    if missing:
        raise MissingFixings(missing)
    rates = np.array([float(fixings[day]) for day in fixing_days])
    compound = float(np.prod(1.0 + rates * weights))
    return (compound - 1.0) / float(np.sum(weights))


def realise(terms: BondTerms, fixings: Fixings, today: date) -> Realised:
    """The FRN's periods ended by `today` with their realised rates (see `Realised`)."""
    if terms.bond_type is not BondType.FRN:
        return Realised(terms, ())
    dates = [
        adjust(terms.calendar, d, terms.payment_convention) for d in bond_schedule(terms).dates
    ]
    rates, waiting = [], []
    for start, end in pairwise(dates):
        if end > today:
            rates.append(0.0)
            continue
        try:
            rates.append(realised_rate(terms, fixings, start, end) + terms.spread)
        except MissingFixings as short:
            waiting.append((end, short.missing))
            rates.append(0.0)
    return Realised(replace(terms, projected_rates=tuple(rates)), tuple(waiting))


def realised_accrued(terms: BondTerms, fixings: Fixings, settlement: date) -> float:
    """Interest accrued per 100 original face at `settlement` from the stored fixings: the
    period's overnight rates compounded to the settlement plus the spread, over the day
    count's fraction to date (as `overnight.accrued_interest` does on a curve)."""
    for flow in bond_cashflows(terms):
        if flow.kind == "coupon" and flow.accrual_start < settlement <= flow.accrual_end:
            to_date = realised_rate(terms, fixings, flow.accrual_start, settlement)
            fraction = year_fraction(terms.day_count, flow.accrual_start, settlement,
                                     flow.reference_start, flow.reference_end)  # fmt: skip
            return flow.outstanding * (to_date + terms.spread) * fraction
    return 0.0


def fixings_window(terms: BondTerms, today: date) -> tuple[date, date]:
    """The dates between which every fixing the FRN's periods ended by `today` (or its accrued
    at `today`) can need lies."""
    return terms.issue_date - LOOKBACK_WINDOW, min(today, terms.maturity_date + LOOKBACK_WINDOW)
