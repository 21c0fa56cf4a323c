"""The ledger service's Celery app and its beat schedule."""

from __future__ import annotations

from celery.schedules import crontab

from fleetkit.celery_app import make_celery
from fleetkit.housekeeping import BEAT_SCHEDULE
from ledger_service.config import get_settings

TASK_MODULES = [
    "fleetkit.housekeeping",
    "ledger_service.transactions.tasks",
    "ledger_service.audit.tasks",
]

# Frequent runs expire unconsumed after one period: a worker that was down runs one catch-up
# sweep, not a pile of stale ones. The nightly checks run in quiet hours (UTC).
LEDGER_BEAT_SCHEDULE = {
    "expire-overdue-holds": {
        "task": "ledger.expire_overdue_holds",
        "schedule": 10.0,
        "options": {"expires": 10.0},
    },
    "link-audit-chain": {
        "task": "ledger.link_audit_chain",
        "schedule": 5.0,
        "options": {"expires": 5.0},
    },
    "verify-audit-chain": {
        "task": "ledger.verify_audit_chain",
        "schedule": crontab(minute=0, hour=2),
    },
    "reconcile-accounts": {
        "task": "ledger.reconcile_accounts",
        "schedule": crontab(minute=30, hour=2),
    },
}

celery_app = make_celery(get_settings(), include=TASK_MODULES)
celery_app.conf.beat_schedule = {**BEAT_SCHEDULE, **LEDGER_BEAT_SCHEDULE}
