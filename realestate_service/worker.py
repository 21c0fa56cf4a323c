"""The realestate service's Celery app and its beat schedule."""

from __future__ import annotations

from celery.schedules import crontab

from fleetkit.celery_app import make_celery
from fleetkit.housekeeping import BEAT_SCHEDULE
from realestate_service.config import get_settings

TASK_MODULES = ["fleetkit.housekeeping", "realestate_service.billing.tasks"]

# Daily billing, run every hour (a run that finds nothing new posts nothing, so a
# worker that was down catches up within the hour). Postings sweep every 10 seconds.
REALESTATE_BEAT_SCHEDULE = {
    "daily-billing": {
        "task": "realestate.daily_billing",
        "schedule": crontab(minute=0),
        "options": {"expires": 3600.0},
    },
    "post-to-ledger": {
        "task": "realestate.post_to_ledger",
        "schedule": 10.0,
        "options": {"expires": 10.0},
    },
}

celery_app = make_celery(get_settings(), include=TASK_MODULES)
celery_app.conf.beat_schedule = {**BEAT_SCHEDULE, **REALESTATE_BEAT_SCHEDULE}
