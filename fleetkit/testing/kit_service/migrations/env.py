from fleetkit.db import KitBase
from fleetkit.migrations import run_migrations
from fleetkit.testing.kit_service.config import Settings

run_migrations(KitBase.metadata, Settings().database_url.get_secret_value())
