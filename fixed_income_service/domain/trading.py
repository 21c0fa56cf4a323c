"""A bond trade's price: the quoted clean price, the engine's accrued interest, the dirty price
and the face outstanding, all as Decimals per 100."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fixed_income_service.domain.analytics import Item, Quote, analyse, check_item
from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.cashflows import bond_cashflows
from fixed_income_service.domain.fixings import Fixings, realised_accrued
from fixed_income_service.domain.money import outstanding_at, per_100
from fixed_income_service.domain.refusals import Refusal


@dataclass(frozen=True)
class TradePrice:
    """Per 100 of face outstanding; `outstanding` is per 100 of original face."""

    clean: Decimal
    accrued: Decimal
    dirty: Decimal
    outstanding: Decimal


def price_at(
    terms: BondTerms, clean: Decimal, settlement: date, fixings: Fixings | None = None
) -> TradePrice:
    """The dirty price of `clean` at `settlement` (accrued as the analytics count it, negative
    while trading ex-coupon); the analytics' refusals (before issue, after maturity, a price out
    of range) are the trade's. An FRN accrues from its index's stored `fixings` (a missing
    one is `fixing-missing`)."""
    if terms.bond_type is BondType.FRN:
        check_item(Item(terms, Quote("clean_price", float(clean))), settlement)
        accrued = per_100(realised_accrued(terms, fixings or {}, settlement))
        outstanding = outstanding_at(bond_cashflows(terms), settlement)
        return TradePrice(clean, accrued, clean + accrued, outstanding)
    answer = analyse(
        [Item(terms, Quote("clean_price", float(clean)))], settlement, "true", ["accrued_interest"]
    )[0]
    if isinstance(answer, Refusal):
        raise answer
    accrued = per_100(float(answer["accrued_interest"]))
    outstanding = outstanding_at(bond_cashflows(terms), settlement)
    return TradePrice(clean, accrued, clean + accrued, outstanding)
