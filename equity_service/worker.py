"""The equity service's Celery app and its beat schedule."""

from __future__ import annotations

from equity_service.config import get_settings
from fleetkit.celery_app import make_celery
from fleetkit.housekeeping import BEAT_SCHEDULE

TASK_MODULES = [
    "fleetkit.housekeeping",
    "equity_service.settlement.tasks",
    "equity_service.orders.tasks",
    "equity_service.market_data.tasks",
    "equity_service.corporate_actions.tasks",
]
settings = get_settings()

# Frequent runs expire unconsumed after one period: a worker that was down runs one catch-up.
EQUITY_BEAT_SCHEDULE = {
    "settle-instructions": {
        "task": "equity.settle_instructions",
        "schedule": 2.0,
        "options": {"expires": 2.0},
    },
    "pay-due-dividends": {
        "task": "equity.pay_due_dividends",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
    "expire-orders": {
        "task": "equity.expire_orders",
        "schedule": 15.0,
        "options": {"expires": 15.0},
    },
    "simulate-quotes": {
        "task": "equity.simulate_quotes",
        "schedule": settings.feed_interval_seconds,
        "options": {"expires": settings.feed_interval_seconds},
    },
}

celery_app = make_celery(settings, include=TASK_MODULES)
celery_app.conf.beat_schedule = {**BEAT_SCHEDULE, **EQUITY_BEAT_SCHEDULE}
