"""The declarative base of the gateway's own tables (the kit's live in KitBase)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from fleetkit.db import NAMING_CONVENTION


class PortfolioBase(DeclarativeBase):
    """Users, tenants, memberships, tokens, API keys, portfolios and their holdings."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
