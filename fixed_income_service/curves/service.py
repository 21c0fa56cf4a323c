"""Curve use cases: bootstrap and store, read back, evaluate at dates."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from fixed_income_service.bonds import repository as bond_repository
from fixed_income_service.bonds.schemas import BondTermsIn
from fixed_income_service.bonds.service import TERM_FIELDS, domain_terms
from fixed_income_service.bonds.service import public as public_bond
from fixed_income_service.curves import repository
from fixed_income_service.curves.schemas import (
    CurveCreate,
    CurvePublic,
    CurveValue,
    CurveValues,
    PillarPublic,
)
from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.curve_shapes import MODELS
from fixed_income_service.domain.curves import Curve, Deposit, Instrument, ParBond, Swap, bootstrap
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.fitting import QuotedBond, fit_curve
from fixed_income_service.domain.refusals import Refusal
from fleetkit.ids import new_id

MAX_DATES = 1000
INPUTS = ("deposits", "ois", "swaps", "par_bonds", "bonds")
PARAMETER_NAMES = ("beta0", "beta1", "beta2", "tau1", "beta3", "tau2")


def instruments(body: CurveCreate) -> list[Instrument]:
    """The domain's instruments for the request."""
    if body.bonds:
        raise Refusal(
            "invalid-curve", "priced bonds are for fitted curves (nelson-siegel, svensson)"
        )
    found: list[Instrument] = [
        Deposit(d.maturity_date, float(Decimal(d.rate))) for d in body.deposits
    ]
    for legs, frequency, day_count in (
        (body.ois, 1, DayCount.ACT_360), (body.swaps, 2, DayCount.THIRTY_360_US),
    ):  # fmt: skip
        found += [
            Swap(s.maturity_date, float(Decimal(s.rate)), s.frequency or frequency,
                 s.day_count or day_count)
            for s in legs
        ]  # fmt: skip
    for par in body.par_bonds:
        terms = BondTerms(
            BondType.FIXED, body.reference_date, par.maturity_date, float(Decimal(par.rate)),
            par.frequency, par.day_count, par.calendar, par.payment_convention,
        )  # fmt: skip
        found.append(ParBond(terms))
    if not found:
        raise Refusal("invalid-curve", "a curve needs at least one deposit, OIS, swap or par bond")
    for deposit in body.deposits:
        if deposit.maturity_date <= body.reference_date:
            raise Refusal("invalid-curve", "a deposit matures after the reference date")
    return found


def curve_of(row: Any) -> Curve:
    """The domain curve of a stored row."""
    return Curve(
        row["reference_date"], tuple(row["pillar_times"]), tuple(row["log_discounts"]),
        row["interpolation"], tuple(row["params"]),
    )  # fmt: skip


def public(row: Any) -> CurvePublic:
    """A stored curve as the API shows it."""
    spec = json.loads(row["instruments"])
    pillars = [
        PillarPublic(time=t, discount_factor=float(np.exp(log)))
        for t, log in zip(row["pillar_times"], row["log_discounts"], strict=True)
    ]
    parameters = dict(zip(PARAMETER_NAMES, row["params"], strict=False)) or None
    return CurvePublic(
        id=row["id"], name=row["name"], reference_date=row["reference_date"],
        interpolation=row["interpolation"], pillars=pillars, parameters=parameters,
        created_at=row["created_at"], **spec,
    )  # fmt: skip


async def quoted_bonds(conn: Any, body: CurveCreate) -> list[QuotedBond]:
    """The bonds a fit prices (stored or inline), each alive at the reference date."""
    if body.deposits or body.ois or body.swaps or body.par_bonds:
        raise Refusal("invalid-curve", "a fitted curve takes priced bonds only")
    wanted = list({q.bond_id for q in body.bonds if q.bond_id is not None})
    rows = await bond_repository.get_bonds(conn, wanted) if wanted else []
    stored = {
        row["id"]: BondTermsIn(**public_bond(row).model_dump(include=set(TERM_FIELDS)))
        for row in rows
    }
    found = []
    for quoted in body.bonds:
        wire = quoted.bond or (stored.get(quoted.bond_id) if quoted.bond_id else None)
        if wire is None:
            raise Refusal("unknown-bond", f"no bond {quoted.bond_id}")
        found.append(QuotedBond(domain_terms(wire), quoted.clean_price))
    return found


async def create_curve(conn: Any, body: CurveCreate) -> CurvePublic:
    """Bootstrap the curve from its instruments, or fit it to bond prices, and store it."""
    if body.interpolation in MODELS:
        bonds = await quoted_bonds(conn, body)
        curve = await asyncio.to_thread(fit_curve, body.reference_date, bonds, body.interpolation)
        curve_built = curve.curve
    else:
        curve_built = bootstrap(body.reference_date, instruments(body), body.interpolation)
    spec = body.model_dump(mode="json", include=set(INPUTS))
    row = await repository.insert_curve(
        conn, new_id(), body.name, body.reference_date, json.dumps(spec),
        list(curve_built.times), list(curve_built.log_discounts), body.interpolation,
        list(curve_built.params),
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
