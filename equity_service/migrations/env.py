"""Alembic environment of the equity service: the kit's tables and the service's own."""

from equity_service.config import get_settings
from fleetkit.db import KitBase
from fleetkit.migrations import run_migrations

run_migrations(KitBase.metadata, get_settings().database_url.get_secret_value())
