"""Curve use cases: bootstrap and store, read back, evaluate at dates."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from fixed_income_service.curves import repository
from fixed_income_service.curves.schemas import (
    CurveCreate,
    CurvePublic,
    CurveValue,
    CurveValues,
    PillarPublic,
)
from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.curves import Curve, Deposit, ParBond, bootstrap
from fixed_income_service.domain.refusals import Refusal
from fleetkit.ids import new_id

MAX_DATES = 1000


def instruments(body: CurveCreate) -> list[Deposit | ParBond]:
    """The domain's instruments for the request."""
    found: list[Deposit | ParBond] = [
        Deposit(d.maturity_date, float(Decimal(d.rate))) for d in body.deposits
    ]
    for par in body.par_bonds:
        terms = BondTerms(
            BondType.FIXED, body.reference_date, par.maturity_date, float(Decimal(par.rate)),
            par.frequency, par.day_count, par.calendar, par.payment_convention,
        )  # fmt: skip
        found.append(ParBond(terms))
    if not found:
        raise Refusal("invalid-curve", "a curve needs at least one deposit or par bond")
    for deposit in body.deposits:
        if deposit.maturity_date <= body.reference_date:
            raise Refusal("invalid-curve", "a deposit matures after the reference date")
    return found


def curve_of(row: Any) -> Curve:
    """The domain curve of a stored row."""
    return Curve(row["reference_date"], tuple(row["pillar_times"]), tuple(row["log_discounts"]))


def public(row: Any) -> CurvePublic:
    """A stored curve as the API shows it."""
    spec = json.loads(row["instruments"])
    pillars = [
        PillarPublic(time=t, discount_factor=float(np.exp(log)))
        for t, log in zip(row["pillar_times"], row["log_discounts"], strict=True)
    ]
    return CurvePublic(
        id=row["id"], name=row["name"], reference_date=row["reference_date"],
        pillars=pillars, created_at=row["created_at"], **spec,
    )  # fmt: skip


async def create_curve(conn: Any, body: CurveCreate) -> CurvePublic:
    """Bootstrap the curve from its instruments and store it."""
    curve = bootstrap(body.reference_date, instruments(body))
    spec = body.model_dump(mode="json", include={"deposits", "par_bonds"})
    row = await repository.insert_curve(
        conn, new_id(), body.name, body.reference_date, json.dumps(spec),
        list(curve.times), list(curve.log_discounts),
    )  # fmt: skip
    return public(row)


async def load_curve(conn: Any, curve_id: uuid.UUID) -> Any:
    """The stored curve, or a refusal when there is none with that id."""
    row = await repository.get_curve(conn, curve_id)
    if row is None:
        raise Refusal("unknown-curve", f"no curve {curve_id}")
    return row


def parse_dates(text: str) -> list[date]:
    """`2031-01-15,2032-01-15` as dates; a refusal for anything else."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or len(parts) > MAX_DATES:
        raise Refusal("invalid-dates", f"give 1 to {MAX_DATES} comma-separated dates")
    try:
        return [date.fromisoformat(p) for p in parts]
    except ValueError as exc:
        raise Refusal("invalid-dates", "dates are ISO 8601 (YYYY-MM-DD)") from exc


def values(row: Any, quantity: str, days: list[date]) -> CurveValues:
    """The curve's discount factors, zero rates or instantaneous forwards at `days`."""
    curve = curve_of(row)
    if any(day < curve.reference_date for day in days):
        raise Refusal("invalid-dates", "dates are on or after the curve's reference date")
    times = np.array([curve.time(day) for day in days])
    evaluate = {"discount": curve.discount, "zero": curve.zero_rate, "forward": curve.forward_rate}
    numbers = evaluate[quantity](times)
    if not np.isfinite(numbers).all():
        raise Refusal("invalid-dates", "a date lies too far beyond the curve's last pillar")
    return CurveValues(
        curve_id=row["id"],
        quantity=quantity,
        compounding=None if quantity == "discount" else "continuous",
        values=[CurveValue(date=d, value=float(v)) for d, v in zip(days, numbers, strict=True)],
    )
