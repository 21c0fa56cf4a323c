"""Analytics batches: parse each item on its own, look up stored bonds, price all at once."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import TypeAdapter, ValidationError

from fixed_income_service.analytics.schemas import AnalyticsRequest, ItemIn
from fixed_income_service.bonds import repository
from fixed_income_service.bonds.schemas import BondTermsIn
from fixed_income_service.bonds.service import TERM_FIELDS, domain_terms, public
from fixed_income_service.curves import repository as curve_repository
from fixed_income_service.curves.service import curve_of
from fixed_income_service.domain.analytics import Item, Quote, analyse
from fixed_income_service.domain.bonds import BondTerms
from fixed_income_service.domain.curves import Curve
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.problems import item_problem

ITEM = TypeAdapter(ItemIn)


class InvalidItem(Refusal):
    """An item that is not a well-formed request, with its field errors."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("invalid-item", "the item is not valid")
        self.errors = errors


def parse_item(raw: Any) -> ItemIn | Refusal:
    """The item, or its refusal with field errors (anything that is not an item object)."""
    try:
        return ITEM.validate_python(raw)
    except ValidationError as exc:
        return InvalidItem(
            [
                {
                    "field": ".".join(str(p) for p in e["loc"]),
                    "message": e["msg"],
                    "code": e["type"],
                }
                for e in exc.errors()
            ]
        )


async def stored_terms(conn: Any, parsed: list[ItemIn | Refusal]) -> dict[uuid.UUID, BondTermsIn]:
    """The terms of every stored bond the items name."""
    wanted = list({p.bond_id for p in parsed if isinstance(p, ItemIn) and p.bond_id})
    rows = await repository.get_bonds(conn, wanted) if wanted else []
    return {
        row["id"]: BondTermsIn(**public(row).model_dump(include=set(TERM_FIELDS))) for row in rows
    }


async def stored_curves(conn: Any, parsed: list[ItemIn | Refusal]) -> dict[uuid.UUID, Curve]:
    """The curves the items name."""
    wanted = {p.curve_id for p in parsed if isinstance(p, ItemIn) and p.curve_id}
    found = {}
    for curve_id in wanted:
        row = await curve_repository.get_curve(conn, curve_id)
        if row is not None:
            found[curve_id] = curve_of(row)
    return found


def run_batch(
    request: AnalyticsRequest,
    parsed: list[ItemIn | Refusal],
    stored: dict[uuid.UUID, BondTermsIn],
    curves: dict[uuid.UUID, Curve] | None = None,
) -> list[dict[str, Any]]:
    """One result or one problem per item, in request order (CPU only: no I/O)."""
    items: list[Item | Refusal] = []
    echoes: list[dict[str, Any]] = []
    built: dict[uuid.UUID, BondTerms | Refusal] = {}
    for entry in parsed:
        echo: dict[str, Any] = {}
        if isinstance(entry, Refusal):
            items.append(entry)
        else:
            items.append(_item(entry, stored, built, echo, curves or {}))
        echoes.append(echo)
    answers = analyse(items, request.settlement_date, request.yield_convention, request.measures)
    results = []
    for index, (answer, echo) in enumerate(zip(answers, echoes, strict=True)):
        if isinstance(answer, Refusal):
            extra = {"errors": answer.errors} if isinstance(answer, InvalidItem) else {}
            results.append({"index": index, **echo, "problem": item_problem(answer, **extra)})
        else:
            results.append({"index": index, **echo, **answer})
    return results


def _item(
    entry: ItemIn,
    stored: dict[uuid.UUID, BondTermsIn],
    built: dict[uuid.UUID, BondTerms | Refusal],
    echo: dict[str, Any],
    curves: dict[uuid.UUID, Curve],
) -> Item | Refusal:
    if entry.bond_id is not None:
        echo["bond_id"] = str(entry.bond_id)
        wire = stored.get(entry.bond_id)
        if wire is None:
            return Refusal("unknown-bond", f"no bond {entry.bond_id}")
        if entry.bond_id not in built:
            built[entry.bond_id] = _build(wire)
        terms = built[entry.bond_id]
    else:
        assert entry.bond is not None
        wire, terms = entry.bond, _build(entry.bond)
    echo["conventions"] = wire.model_dump(mode="json", exclude={"amortization"})
    if isinstance(terms, Refusal):
        return terms
    curve = None
    if entry.curve_id is not None:
        echo["curve_id"] = str(entry.curve_id)
        curve = curves.get(entry.curve_id)
        if curve is None:
            return Refusal("unknown-curve", f"no curve {entry.curve_id}")
    quotes = (
        ("yield", entry.yield_), ("clean_price", entry.clean_price),
        ("dirty_price", entry.dirty_price), ("z_spread", entry.z_spread),
    )  # fmt: skip
    for kind, value in quotes:
        if value is not None:
            return Item(terms, Quote(kind, value), curve)
    raise AssertionError("ItemIn has exactly one quote")


def _build(wire: BondTermsIn) -> BondTerms | Refusal:
    try:
        return domain_terms(wire)
    except Refusal as refusal:
        return refusal


def envelope(request: AnalyticsRequest, results: list[dict[str, Any]]) -> dict[str, Any]:
    """The batch answer: what was asked, then one entry per item."""
    return {
        "settlement_date": request.settlement_date.isoformat(),
        "yield_convention": request.yield_convention,
        "measures": request.measures,
        "results": results,
    }
