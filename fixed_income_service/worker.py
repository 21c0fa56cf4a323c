"""The fixed_income service's Celery app and its beat schedule."""

from __future__ import annotations

from fixed_income_service.config import get_settings
from fleetkit.celery_app import make_celery
from fleetkit.housekeeping import BEAT_SCHEDULE

TASK_MODULES = ["fleetkit.housekeeping", "fixed_income_service.analytics.tasks"]

celery_app = make_celery(get_settings(), include=TASK_MODULES)
celery_app.conf.beat_schedule = {**BEAT_SCHEDULE}
