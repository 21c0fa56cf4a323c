"""What an analytics answer says about one bond beyond its figures: days accrued, flows left."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.book import CashflowBook
from fixed_income_service.domain.daycounts import day_count_days
from fixed_income_service.domain.settled import SettledBook


def amount_text(value: float) -> str:
    """An amount per 100 as wire text, to 10 decimals without trailing zeros."""
    return np.format_float_positional(round(value, 10), trim="-")


def accrued_days(
    terms: BondTerms, settled: SettledBook, book: CashflowBook, row: int, settlement: date
) -> int:
    """Days accrued by the bond's day count (negative while trading ex-coupon)."""
    if terms.bond_type is BondType.ZERO:
        return 0
    period = int(settled.period[row])
    start = date.fromordinal(int(book.periods["start"][period]))
    end = date.fromordinal(int(book.periods["end"][period]))
    if settlement <= start:
        return 0
    if settlement.toordinal() >= int(book.periods["ex"][period]):
        return -day_count_days(terms.day_count, settlement, max(settlement, end))
    return day_count_days(terms.day_count, start, min(settlement, end))


def remaining_cashflows(
    settled: SettledBook, book: CashflowBook, row: int, yield_: float, convention: str
) -> list[dict[str, Any]]:
    """The flows after settlement per 100 outstanding, with their time, discount and value."""
    first = int(settled.starts[row])
    last = int(settled.starts[row + 1]) if row + 1 < len(settled.starts) else len(settled.amount)
    frequency = float(settled.frequency[row])
    times = settled.times(convention)
    scale = float(settled.scale[row])
    flows = []
    for position in range(first, last):
        index = int(settled.flow_index[position])
        period = int(book.flows["period"][index])
        time = float(times[position])
        if convention == "street" and settled.final_period[row]:
            discount = 1.0 / (1.0 + yield_ * time)  # simple interest in the last period
        else:
            discount = (1.0 + yield_ / frequency) ** (-frequency * time)
        amount = float(settled.amount[position]) * scale
        flows.append(
            {
                "payment_date": date.fromordinal(int(book.flows["pay"][index])).isoformat(),
                "kind": "coupon" if book.flows["is_coupon"][index] else "principal",
                "accrual_start": date.fromordinal(int(book.periods["start"][period])).isoformat(),
                "accrual_end": date.fromordinal(int(book.periods["end"][period])).isoformat(),
                "amount": amount_text(amount),
                "ex_coupon": bool(book.flows["is_coupon"][index])
                and amount == 0.0
                and float(book.flows["amount"][index]) != 0.0,
                "time": time,
                "discount_factor": discount,
                "present_value": amount * discount,
            }
        )
    return flows
