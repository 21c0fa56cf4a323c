"""The declarative base of the issuance service's own tables (the kit's live in KitBase)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from fleetkit.db import NAMING_CONVENTION


class IssuanceBase(DeclarativeBase):
    """Issuers, documents, investors, campaigns, investments, chain intents."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
