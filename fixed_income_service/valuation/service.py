"""A bond's value as of a date, from the latest trade of the caller's tenant or the latest
mark on or before it (a mark wins a tie: it is the day's closing evaluation)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from fixed_income_service.bonds.service import domain_terms, get_bond
from fixed_income_service.domain.money import EXACT, face_asset
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.domain.trading import price_at
from fixed_income_service.trades import repository as trades
from fixed_income_service.valuation import repository as marks
from fixed_income_service.valuation.schemas import MarkCreate, MarkPublic, Valuation
from fleetkit.ids import new_id

UNIT_PLACES = Decimal("1E-12")


def public_mark(row: Any) -> MarkPublic:
    """A stored mark as the API shows it."""
    return MarkPublic(**{**dict(row), "clean_price": format(row["clean_price"], "f")})


async def record_mark(conn: Any, bond_id: uuid.UUID, body: MarkCreate) -> MarkPublic:
    """Mark the bond at a clean price for a date (the bond must exist)."""
    await get_bond(conn, bond_id)
    clean = Decimal(body.clean_price)
    row = await marks.upsert_mark(conn, new_id(), bond_id, body.mark_date, clean)
    return public_mark(row)


def _source(trade: Any, mark: Any) -> tuple[str, Decimal, date] | None:
    if mark is not None and (trade is None or mark["mark_date"] >= trade["settlement_date"]):
        return "mark", mark["clean_price"], mark["mark_date"]
    if trade is not None:
        return "trade", trade["clean_price"], trade["settlement_date"]
    return None


async def value_bond(conn: Any, tenant_id: str, bond_id: uuid.UUID, as_of: date) -> Valuation:
    """The valuation answer of CONTRACTS.md; `none` (no prices) without a trade or a mark, or
    once the bond has paid its last flow."""
    bond = await get_bond(conn, bond_id)
    answer = Valuation(
        bond_id=bond.id, asset=face_asset(bond.id, bond.isin), currency=bond.currency,
        clean_price=None, dirty_price=None, accrued=None, price_per_unit_face=None,
        price_source="none", priced_on=None, as_of=as_of,
    )  # fmt: skip
    found = _source(
        await trades.latest_trade(conn, tenant_id, bond_id, as_of),
        await marks.latest_mark(conn, bond_id, as_of),
    )
    if found is None:
        return answer
    source, clean, priced_on = found
    try:
        price = price_at(domain_terms(bond), clean, as_of)
    except Refusal as refusal:
        if refusal.kind == "maturity-before-settlement":
            return answer
        raise
    unit = (EXACT.multiply(price.dirty, price.outstanding) / Decimal(10_000)).quantize(
        UNIT_PLACES, rounding=ROUND_HALF_EVEN
    )
    return answer.model_copy(
        update={
            "clean_price": format(price.clean, "f"),
            "dirty_price": format(price.dirty, "f"),
            "accrued": format(price.accrued, "f"),
            "price_per_unit_face": format(unit.normalize(), "f"),
            "price_source": source,
            "priced_on": priced_on,
        }
    )
