"""The Reg CF 12-month investment limit of one investor (17 CFR 227.100(a)(2), 2021 amounts).

Non-accredited investors:
- when annual income OR net worth is below $124,000: the greater of $2,500 and 5% of the greater
  of income and net worth;
- when both are at least $124,000: 10% of the greater of income and net worth, capped at
  $124,000.
Accredited investors have no limit. The limit counts everything invested through the platform
in the last 12 months (every campaign of the tenant), pledges still in escrow included.

Rounding: 5% or 10% of an amount with cents may have sub-cent digits; the limit is rounded DOWN
to the cent (ROUND_DOWN), so it is never overstated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

FLOOR = Decimal("2500")
THRESHOLD = Decimal("124000")
CAP = Decimal("124000")
LOW_RATE = Decimal("0.05")
HIGH_RATE = Decimal("0.10")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Limit:
    """The 12-month limit (None: unlimited), what is used, what is left, and why."""

    limit: Decimal | None
    used: Decimal
    remaining: Decimal | None
    rule: str
    explanation: str


def twelve_month_limit(
    *, accredited: bool, annual_income: Decimal, net_worth: Decimal, invested_12m: Decimal
) -> Limit:
    """The investor's limit, what `invested_12m` leaves of it, and the rule that applied."""
    if accredited:
        return Limit(
            None,
            invested_12m,
            None,
            "accredited",
            "accredited investor: Reg CF sets no 12-month limit",
        )
    greater = max(annual_income, net_worth)
    basis = "income" if annual_income >= net_worth else "net worth"
    if annual_income < THRESHOLD or net_worth < THRESHOLD:
        share = (greater * LOW_RATE).quantize(CENT, rounding=ROUND_DOWN)
        limit = max(FLOOR, share)
        rule = "floor" if share <= FLOOR else "five_percent"
        explanation = (
            f"income or net worth below ${THRESHOLD:,.2f}: the greater of ${FLOOR:,.2f} and 5% of "
            f"{basis} ${greater:,.2f} (${share:,.2f}) = ${limit:,.2f}"
        )
    else:
        share = (greater * HIGH_RATE).quantize(CENT, rounding=ROUND_DOWN)
        limit = min(share, CAP)
        rule = "cap" if share > CAP else "ten_percent"
        explanation = (
            f"income and net worth both at least ${THRESHOLD:,.2f}: 10% of {basis} ${greater:,.2f} "
            f"(${share:,.2f}), capped at ${CAP:,.2f} = ${limit:,.2f}"
        )
    limit = limit.quantize(CENT)
    remaining = max(Decimal(0), limit - invested_12m).quantize(CENT)
    explanation += f"; invested in the last 12 months ${invested_12m:,.2f}, left ${remaining:,.2f}"
    return Limit(limit, invested_12m, remaining, rule, explanation)
