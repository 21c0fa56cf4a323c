"""Instrument use cases: register a listing (operators), read them (everyone)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.domain.isin import is_valid_isin
from equity_service.instruments import repository
from equity_service.instruments.models import Instrument
from equity_service.instruments.schemas import InstrumentCreate, InstrumentPublic
from fleetkit.ids import new_id
from fleetkit.problems import ProblemError


def public(instrument: Instrument) -> InstrumentPublic:
    return InstrumentPublic(
        id=instrument.id,
        symbol=instrument.symbol,
        name=instrument.name,
        isin=instrument.isin,
        currency=instrument.currency,
        fractionable=instrument.fractionable,
        min_notional=instrument.min_notional,
        tick_size=instrument.tick_size,
        lot_size=instrument.lot_size,
        status=instrument.status,
        ledger_asset=instrument.ledger_asset,
    )


async def register_instrument(session: AsyncSession, listing: InstrumentCreate) -> Instrument:
    """Add a listing; the same symbol again with the same ISIN returns the existing one."""
    if not is_valid_isin(listing.isin):
        raise ProblemError(422, "invalid-isin", f"{listing.isin} is not a valid ISIN")
    tick, lot = Decimal(listing.tick_size), Decimal(listing.lot_size)
    if tick <= 0 or lot <= 0:
        raise ProblemError(422, "invalid-instrument", "tick and lot sizes must be positive")
    existing = await repository.by_symbol(session, listing.symbol)
    if existing is not None:
        if existing.isin != listing.isin:
            raise ProblemError(409, "duplicate-symbol", f"{listing.symbol} is another listing")
        return existing
    instrument = Instrument(
        id=new_id(),
        symbol=listing.symbol,
        name=listing.name,
        isin=listing.isin,
        currency=listing.currency,
        fractionable=listing.fractionable,
        min_notional=Decimal(listing.min_notional),
        tick_size=tick,
        lot_size=lot,
        status=listing.status,
    )
    session.add(instrument)
    await session.flush()
    return instrument
