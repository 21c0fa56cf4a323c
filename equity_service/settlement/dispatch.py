"""Waking the worker after a request wrote ledger instructions (beat sweeps anyway)."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from celery import Celery
from fastapi import BackgroundTasks

log = logging.getLogger("equity_service.settlement")
SETTLE_TASK = "equity.settle_instructions"


@lru_cache
def broker_client(broker_url: str) -> Celery:
    """A bare Celery client for sending by name (no worker signals, one per broker)."""
    return Celery("equity-web", broker=broker_url)


def _send(broker_url: str) -> None:
    try:
        broker_client(broker_url).send_task(SETTLE_TASK, retry=False)
    except Exception:  # a lost nudge only delays settlement until the next beat sweep
        log.warning("could not nudge the settlement worker", exc_info=True)


def nudge_settlement(background: BackgroundTasks, app: Any) -> None:
    """Ask the worker to settle, after the response (so after the request's commit)."""
    if app.state.nudge_worker:
        background.add_task(_send, app.state.settings.redis_url.get_secret_value())
