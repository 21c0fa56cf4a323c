"""Yields to call and to worst: each call date is the bond redeemed early at the call price."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.bonds import BondTerms
from fixed_income_service.domain.book import bond_arrays_to_call, build_book
from fixed_income_service.domain.cashflows import cashflows_to_call
from fixed_income_service.domain.pricing import solve_yields
from fixed_income_service.domain.settled import settle


def yields_to_call(
    terms: Sequence[BondTerms], dirty: npt.NDArray[np.float64], settlement: date, convention: str
) -> dict[int, list[dict[str, Any]]]:
    """Per row with calls still ahead: each call's date, price and yield at the row's dirty
    price (None when no yield gives it), all solved in one vectorised batch."""
    variants = [
        (row, call)
        for row, bond in enumerate(terms)
        for call in bond.calls
        if cashflows_to_call(bond, call)[-1].payment_date > settlement and np.isfinite(dirty[row])
    ]
    if not variants:
        return {}
    book = build_book([bond_arrays_to_call(terms[row], call) for row, call in variants])
    settled = settle(book, settlement.toordinal())
    targets = np.array([dirty[row] for row, _ in variants])
    solved, exists = solve_yields(settled, targets, convention)
    found: dict[int, list[dict[str, Any]]] = {}
    for (row, call), value, ok in zip(variants, solved, exists, strict=True):
        found.setdefault(row, []).append(
            {"call_date": call.date.isoformat(), "call_price": call.price,
             "yield": float(value) if ok else None}
        )  # fmt: skip
    return found


def yield_to_worst(
    terms: BondTerms, yield_to_maturity: float, to_call: list[dict[str, Any]]
) -> tuple[float, str]:
    """The lowest of the yield to maturity and the yields to each call, and its date."""
    worst, when = yield_to_maturity, terms.maturity_date.isoformat()
    for call in to_call:
        if call["yield"] is not None and call["yield"] < worst:
            worst, when = call["yield"], call["call_date"]
    return worst, when
