"""The fixed_income service's Celery app and its beat schedule."""

from __future__ import annotations

from fixed_income_service.config import get_settings
from fleetkit.celery_app import make_celery
from fleetkit.housekeeping import BEAT_SCHEDULE

TASK_MODULES = [
    "fleetkit.housekeeping",
    "fixed_income_service.analytics.tasks",
    "fixed_income_service.payments.tasks",
    "fixed_income_service.trades.tasks",
]

# Frequent runs expire unconsumed after one period: a worker that was down runs one catch-up.
FIXED_INCOME_BEAT_SCHEDULE = {
    "pay-due-bond-payments": {
        "task": "fixed_income.pay_due_bond_payments",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
    "settle-due-bond-trades": {
        "task": "fixed_income.settle_due_trades",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
}

celery_app = make_celery(get_settings(), include=TASK_MODULES)
celery_app.conf.beat_schedule = {**BEAT_SCHEDULE, **FIXED_INCOME_BEAT_SCHEDULE}
