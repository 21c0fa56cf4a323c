"""The declarative base of the equity service's own tables (the kit's live in KitBase)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from fleetkit.db import NAMING_CONVENTION


class EquityBase(DeclarativeBase):
    """Instruments, market data, orders, fills and ledger instructions."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
