"""Bond use cases: terms from the wire to the domain, and the reference data's reads."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from fixed_income_service.bonds import repository
from fixed_income_service.bonds.schemas import (
    BondCreate,
    BondPublic,
    BondTermsIn,
    CashflowPublic,
    CashflowSchedule,
)
from fixed_income_service.domain.bonds import BondTerms, BondType, Call, Repayment
from fixed_income_service.domain.book import bond_arrays
from fixed_income_service.domain.cashflows import bond_cashflows, cashflows_to_call
from fixed_income_service.domain.curves import Curve
from fixed_income_service.domain.overnight import project
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.domain.statements import amount_text
from fleetkit.ids import new_id

TERM_FIELDS = tuple(BondTermsIn.model_fields)


def domain_terms(terms: BondTermsIn) -> BondTerms:
    """The domain's terms; a refusal when they describe no bond (its cash flows are built)."""
    built = BondTerms(
        bond_type=terms.bond_type,  # type: ignore[arg-type]
        issue_date=terms.issue_date,
        maturity_date=terms.maturity_date,
        coupon_rate=float(Decimal(terms.coupon_rate)),
        frequency=terms.frequency,
        day_count=terms.day_count,
        calendar=terms.calendar,
        payment_convention=terms.payment_convention,
        end_of_month=terms.end_of_month,
        first_coupon_date=terms.first_coupon_date,
        penultimate_coupon_date=terms.penultimate_coupon_date,
        ex_coupon_days=terms.ex_coupon_days,
        redemption=float(Decimal(terms.redemption)),
        amortization=tuple(
            Repayment(r.date, float(Decimal(r.percent))) for r in terms.amortization
        ),
        calls=tuple(Call(c.date, float(Decimal(c.price))) for c in terms.calls),
        spread=float(Decimal(terms.spread)),
        lookback_days=terms.lookback_days,
    )
    try:
        bond_arrays(built)
        for call in built.calls:
            cashflows_to_call(built, call)
    except ValueError as exc:
        raise Refusal("invalid-schedule", str(exc)) from exc
    return built


def public(row: Any) -> BondPublic:
    """A stored bond as the API shows it."""
    terms = json.loads(row["terms"])
    return BondPublic(
        id=row["id"], name=row["name"], isin=row["isin"], currency=row["currency"],
        created_at=row["created_at"], **terms,
    )  # fmt: skip


async def create_bond(conn: Any, body: BondCreate) -> BondPublic:
    """Add a bond to the reference data; its terms must build a schedule."""
    domain_terms(body)
    terms = body.model_dump(mode="json", include=set(TERM_FIELDS))
    row = await repository.insert_bond(conn, new_id(), body, json.dumps(terms))
    if row is None:
        raise Refusal("duplicate-bond", f"a bond with ISIN {body.isin} exists")
    return public(row)


async def get_bond(conn: Any, bond_id: uuid.UUID) -> BondPublic:
    """The bond, or a refusal when there is none with that id."""
    row = await repository.get_bond(conn, bond_id)
    if row is None:
        raise Refusal("unknown-bond", f"no bond {bond_id}")
    return public(row)


def cashflow_schedule(
    bond: BondPublic, settlement: date | None, curve: Curve | None = None
) -> CashflowSchedule:
    """The bond's cash flows per 100 original face, those after `settlement` if given; an
    FRN's coupons are projected on `curve` (required for one)."""
    terms = domain_terms(bond)
    if terms.bond_type is BondType.FRN:
        if curve is None:
            raise Refusal("curve-required", "an FRN's coupons are projected on a curve: curve_id")
        terms = project(terms, curve)
    flows = bond_cashflows(terms)
    after = [f for f in flows if settlement is None or f.payment_date > settlement]
    return CashflowSchedule(
        bond_id=bond.id,
        settlement_date=settlement,
        conventions=BondTermsIn(**bond.model_dump(include=set(TERM_FIELDS))),
        cashflows=[
            CashflowPublic(
                payment_date=f.payment_date, kind=f.kind,
                accrual_start=f.accrual_start, accrual_end=f.accrual_end,
                amount=amount_text(f.amount), ex_coupon_date=f.ex_coupon_date,
            )
            for f in after
        ],
    )  # fmt: skip
