"""The issuance service's Celery app and its beat schedule."""

from __future__ import annotations

from fleetkit.celery_app import make_celery
from fleetkit.housekeeping import BEAT_SCHEDULE
from issuance_service.config import get_settings

TASK_MODULES = [
    "fleetkit.housekeeping",
    "issuance_service.investments.tasks",
    "issuance_service.chain.tasks",
]
settings = get_settings()

# Expires unconsumed after one period: a worker that was down runs one catch-up, not many.
ISSUANCE_BEAT_SCHEDULE = {
    "close-due-campaigns": {
        "task": "issuance.close_due_campaigns",
        "schedule": settings.close_interval_seconds,
        "options": {"expires": settings.close_interval_seconds},
    },
    "write-chain": {
        "task": "issuance.write_chain",
        "schedule": settings.chain_interval_seconds,
        "options": {"expires": settings.chain_interval_seconds},
    },
    "reconcile-chain": {
        "task": "issuance.reconcile_chain",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
}

celery_app = make_celery(settings, include=TASK_MODULES)
celery_app.conf.beat_schedule = {**BEAT_SCHEDULE, **ISSUANCE_BEAT_SCHEDULE}
