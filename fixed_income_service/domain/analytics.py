"""A batch of analytics items: each bond with one quote, priced together, answered per item.

One bad item never spoils the batch: it becomes its own `Refusal` and the rest go on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.book import bond_arrays, build_book
from fixed_income_service.domain.calls import yield_to_worst, yields_to_call
from fixed_income_service.domain.cashflows import cashflows_to_call
from fixed_income_service.domain.curve_risk import g_spread, key_rate_durations
from fixed_income_service.domain.curves import Curve
from fixed_income_service.domain.overnight import accrued_interest, project
from fixed_income_service.domain.pricing import price_and_risk, solve_yields
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.domain.settled import settle
from fixed_income_service.domain.spreads import BatchSpreads
from fixed_income_service.domain.statements import accrued_days, remaining_cashflows

YIELD_CONVENTIONS = ("true", "street")
MEASURES = (
    "accrued_interest", "clean_price", "dirty_price", "yield", "macaulay_duration",
    "modified_duration", "convexity", "dv01", "current_yield", "cashflows", "z_spread",
    "yield_to_call", "yield_to_worst", "g_spread", "key_rate_durations",
)  # fmt: skip
MAX_SPREAD = 1.0  # 10,000 bp
MAX_YIELD = 10.0  # 1,000 %: beyond it a yield is a typo, not a market
MAX_PRICE = 10_000.0  # per 100


@dataclass(frozen=True)
class Quote:
    """One of a clean or dirty price (per 100), a yield or a z-spread (annual decimals)."""

    kind: str  # "clean_price", "dirty_price", "yield" or "z_spread"
    value: float


@dataclass(frozen=True)
class Item:
    """A bond and its quote; a curve to price a z-spread or to measure one."""

    terms: BondTerms
    quote: Quote
    curve: Curve | None = None


def projected(item: Item) -> Item:
    """An FRN's item with its coupons projected on the item's curve (needed: a refusal
    without one); any other item as it is."""
    if item.terms.bond_type is not BondType.FRN:
        return item
    if item.curve is None:
        raise Refusal("curve-required", "an FRN's coupons are projected on a curve: give curve_id")
    if item.curve.reference_date > item.terms.maturity_date:
        raise Refusal("settlement-before-curve", "the curve starts after the FRN matures")
    return Item(project(item.terms, item.curve), item.quote, item.curve)


def check_item(item: Item, settlement: date) -> None:
    """Refuse an item that cannot be priced at `settlement`."""
    terms, quote = item.terms, item.quote
    if settlement < terms.issue_date:
        raise Refusal("settlement-before-issue", "settlement_date is before the issue date")
    try:
        arrays = bond_arrays(terms)
        for call in terms.calls:
            cashflows_to_call(terms, call)
    except ValueError as exc:
        # Day-count reference periods no rule covers: refuse the bond, never fail the batch.
        raise Refusal("invalid-schedule", str(exc)) from exc
    if arrays.flows["pay"][-1] <= settlement.toordinal():
        raise Refusal("maturity-before-settlement", "the bond has no payment after settlement")
    if not math.isfinite(quote.value):
        kind = {"yield": "invalid-yield", "z_spread": "invalid-spread"}.get(quote.kind)
        raise Refusal(kind or "invalid-price", "the quote is not a finite number")
    if quote.kind == "yield" and not (
        1.0 + quote.value / terms.frequency > 0.0 and quote.value <= MAX_YIELD
    ):
        raise Refusal("invalid-yield", f"yield must exceed -frequency and be at most {MAX_YIELD}")
    if quote.kind == "z_spread" and not abs(quote.value) <= MAX_SPREAD:
        raise Refusal("invalid-spread", f"z_spread must be within ±{MAX_SPREAD}")
    if quote.kind in ("clean_price", "dirty_price") and not 0.0 < quote.value <= MAX_PRICE:
        raise Refusal("invalid-price", f"price must be above 0 and at most {MAX_PRICE}")
    if item.curve is not None and item.curve.reference_date > settlement:
        raise Refusal("settlement-before-curve", "the curve starts after the settlement date")


def analyse(
    items: Sequence[Item | Refusal], settlement: date, convention: str, measures: Sequence[str]
) -> list[dict[str, Any] | Refusal]:
    """Every item's requested measures (or its refusal), in the order given."""
    answers: list[dict[str, Any] | Refusal] = [
        item if isinstance(item, Refusal) else {} for item in items
    ]
    live: list[int] = []
    items = list(items)
    for index, item in enumerate(items):
        if isinstance(item, Refusal):
            continue
        try:
            items[index] = item = projected(item)
            check_item(item, settlement)
        except Refusal as refusal:
            answers[index] = refusal
        else:
            live.append(index)
    if not live:
        return answers
    terms = [items[i].terms for i in live]  # type: ignore[union-attr]
    quotes = [items[i].quote for i in live]  # type: ignore[union-attr]
    book = build_book([bond_arrays(t) for t in terms])
    settled = settle(book, settlement.toordinal())
    for row, index in enumerate(live):
        item = items[index]
        if isinstance(item, Item) and item.terms.bond_type is BondType.FRN and item.curve:
            # An FRN accrues its overnight rates compounded to date, not a prorated coupon.
            settled.accrued[row] = accrued_interest(item.terms, item.curve, settlement)
    dirty = np.array([_dirty_quote(q, a) for q, a in zip(quotes, settled.accrued, strict=True)])
    curves = [items[i].curve for i in live]  # type: ignore[union-attr]
    quoted = [q.value if q.kind == "z_spread" else None for q in quotes]
    spreads = BatchSpreads(settled, book, curves, settlement, quoted)
    dirty = spreads.dirty_prices(dirty)
    solved, exists = solve_yields(settled, dirty, convention)
    yields = np.array(
        [q.value if q.kind == "yield" else y for q, y in zip(quotes, solved, strict=True)]
    )
    priced = np.where(np.isfinite(yields), yields, 0.0)
    risk = price_and_risk(settled, priced, convention)
    wants_z = "z_spread" in measures or "key_rate_durations" in measures
    z_spreads = spreads.measured(risk.dirty_price) if wants_z else None
    key_rates = (
        key_rate_durations(settled, book, curves, settlement, z_spreads)
        if z_spreads is not None and "key_rate_durations" in measures
        else None
    )
    wants_calls = "yield_to_call" in measures or "yield_to_worst" in measures
    to_call = yields_to_call(terms, risk.dirty_price, settlement, convention) if wants_calls else {}
    for row, index in enumerate(live):
        quote = quotes[row]
        if quote.kind != "yield" and not (dirty[row] > 0.0):
            answers[index] = Refusal("invalid-price", "the dirty price is not above 0")
        elif not _finite(risk, row):
            # A yield a hair above -frequency: the price overflows a float.
            answers[index] = Refusal("invalid-yield", "this yield gives no finite price")
        elif quote.kind != "yield" and not exists[row]:
            answers[index] = Refusal("no-yield", "no yield gives this price")
        else:
            answers[index] = _measures(
                terms[row], settlement, settled, book, risk, row, float(yields[row]), measures,
                convention,
            )  # fmt: skip
            answer: dict[str, Any] = answers[index]  # type: ignore[assignment]
            if z_spreads is not None and "z_spread" in measures:
                answer["z_spread"] = z_spreads[row]
            if key_rates is not None:
                answer["key_rate_durations"] = key_rates[row]
            if "g_spread" in measures:
                curve = curves[row]
                answer["g_spread"] = (
                    None
                    if curve is None
                    else g_spread(
                        curve, settlement, terms[row].maturity_date, float(yields[row]),
                        terms[row].frequency,
                    )
                )  # fmt: skip
            if wants_calls:
                calls = to_call.get(row, [])
                worst, worst_date = yield_to_worst(terms[row], float(yields[row]), calls)
                answer.update(yield_to_call=calls, yield_to_worst=worst, worst_date=worst_date)
    return answers


def _dirty_quote(quote: Quote, accrued: float) -> float:
    if quote.kind == "clean_price":
        return quote.value + accrued
    return quote.value if quote.kind == "dirty_price" else math.nan


def _finite(risk: Any, row: int) -> bool:
    figures = (risk.dirty_price, risk.modified_duration, risk.convexity, risk.dv01)
    return all(math.isfinite(float(figure[row])) for figure in figures)


def _measures(
    terms: BondTerms, settlement: date, settled: Any, book: Any, risk: Any, row: int,
    yield_: float, measures: Sequence[str], convention: str,
) -> dict[str, Any]:  # fmt: skip
    accrued = float(settled.accrued[row])
    dirty = float(risk.dirty_price[row])
    clean = dirty - accrued
    values: dict[str, Any] = {
        "clean_price": clean,
        "dirty_price": dirty,
        "yield": yield_,
        "macaulay_duration": float(risk.macaulay_duration[row]),
        "modified_duration": float(risk.modified_duration[row]),
        "convexity": float(risk.convexity[row]),
        "dv01": float(risk.dv01[row]),
        "current_yield": terms.coupon_rate * 100.0 / clean if clean > 0 else None,
    }
    result = {name: values[name] for name in measures if name in values}
    if "accrued_interest" in measures:
        result["accrued_interest"] = accrued
        result["accrued_days"] = accrued_days(terms, settled, book, row, settlement)
    if "cashflows" in measures:
        result["cashflows"] = remaining_cashflows(settled, book, row, yield_, convention)
    return result
