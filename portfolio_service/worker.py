"""The portfolio service's Celery app and its beat schedule."""

from __future__ import annotations

from fleetkit.celery_app import make_celery
from fleetkit.housekeeping import BEAT_SCHEDULE
from portfolio_service.config import get_settings
from portfolio_service.valuation.tasks import BEAT_SCHEDULE as SNAPSHOTS

celery_app = make_celery(
    get_settings(), include=["fleetkit.housekeeping", "portfolio_service.valuation.tasks"]
)
celery_app.conf.beat_schedule = {**BEAT_SCHEDULE, **SNAPSHOTS}
