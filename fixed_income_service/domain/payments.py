"""What a bond owes its holders by a date: coupons and repayments of face, each with its
record date and amount per 100 of original face."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fixed_income_service.domain.bonds import BondTerms
from fixed_income_service.domain.cashflows import bond_cashflows
from fixed_income_service.domain.money import per_100, record_date


@dataclass(frozen=True)
class DuePayment:
    """A coupon or a redemption (`final`: the last repayment of face, which retires it)."""

    kind: str  # "coupon" or "redemption"
    payment_date: date
    record_date: date
    amount_per_100: Decimal
    final: bool


def due_payments(terms: BondTerms, today: date) -> list[DuePayment]:
    """Every payment dated on or before `today`, in payment order (a date's coupon first)."""
    flows = bond_cashflows(terms)
    last = len(flows) - 1
    due = []
    for index, flow in enumerate(flows):
        if flow.payment_date > today or flow.amount <= 0.0:
            continue
        kind = "coupon" if flow.kind == "coupon" else "redemption"
        final = kind == "redemption" and index == last
        due.append(
            DuePayment(kind, flow.payment_date, record_date(flow), per_100(flow.amount), final)
        )
    return due
