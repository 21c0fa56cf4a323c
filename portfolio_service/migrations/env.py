"""Alembic environment of the portfolio service: the kit's tables and the service's own."""

from fleetkit.db import KitBase
from fleetkit.migrations import run_migrations
from portfolio_service.config import get_settings

run_migrations(KitBase.metadata, get_settings().database_url.get_secret_value())
