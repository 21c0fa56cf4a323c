"""Recording realised fixings: write once, then only the same value again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fixed_income_service.bonds.schemas import BondTermsIn
from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.fixings import Fixings, fixings_window
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.fixings import repository
from fixed_income_service.fixings.schemas import FixingPublic, FixingsCreate, FixingsPublic


async def record_fixings(conn: Any, index: str, body: FixingsCreate) -> FixingsPublic:
    """Store the fixings; sending a stored one again changes nothing, but a different rate
    for a stored date refuses the whole request (`fixing-conflict`): a realised fixing has
    paid coupons and never changes."""
    wanted: dict[date, Decimal] = {}
    for fixing in body.fixings:
        rate = Decimal(fixing.rate)
        if wanted.setdefault(fixing.fixing_date, rate) != rate:
            raise Refusal("fixing-conflict", f"{fixing.fixing_date} is given two rates")
    await repository.lock_index(conn, index)
    stored = await repository.fixings_between(conn, index, min(wanted), max(wanted))
    changed = sorted(day for day, rate in wanted.items() if day in stored and stored[day] != rate)
    if changed:
        raise Refusal(
            "fixing-conflict",
            f"{index} already has other rates for {', '.join(map(str, changed[:5]))}",
        )
    await repository.insert_fixings(conn, index, sorted(wanted.items()))
    return public(index, wanted, min(wanted), max(wanted))


async def read_fixings(conn: Any, index: str, first: date, last: date) -> FixingsPublic:
    """The index's fixings from `first` to `last`."""
    if last < first:
        raise Refusal("invalid-dates", "to is before from")
    return public(index, await repository.fixings_between(conn, index, first, last), first, last)


def public(index: str, fixings: dict[date, Decimal], first: date, last: date) -> FixingsPublic:
    """The answer: the fixings from `first` to `last` in date order."""
    return FixingsPublic(
        index=index,
        fixings=[
            FixingPublic(fixing_date=day, rate=format(rate, "f"))
            for day, rate in sorted(fixings.items())
            if first <= day <= last
        ],
    )


DEFAULT_INDEX = "SOFR"


def index_of(bond: BondTermsIn) -> str:
    """The overnight index an FRN's coupons are paid on."""
    return bond.overnight_index or DEFAULT_INDEX


async def index_fixings(conn: Any, bond: BondTermsIn, terms: BondTerms, today: date) -> Fixings:
    """The stored fixings an FRN's periods ended by `today` can need; none for another bond."""
    if terms.bond_type is not BondType.FRN:
        return {}
    first, last = fixings_window(terms, today)
    return await repository.fixings_between(conn, index_of(bond), first, last)
