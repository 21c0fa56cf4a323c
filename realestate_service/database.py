"""The declarative base of the realestate service's own tables (the kit's live in KitBase)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from fleetkit.db import NAMING_CONVENTION


class RealEstateBase(DeclarativeBase):
    """Buildings, leases, the rent ledger, deposits, expenses, postings and the audit log."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
