"""Waking the worker after a request wrote ledger instructions (beat sweeps anyway)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import BackgroundTasks

log = logging.getLogger("equity_service.settlement")
SETTLE_TASK = "equity.settle_instructions"


def _send(celery: Any) -> None:
    try:
        celery.send_task(SETTLE_TASK, retry=False)
    except Exception:  # a lost nudge only delays settlement until the next beat sweep
        log.warning("could not nudge the settlement worker", exc_info=True)


def nudge_settlement(background: BackgroundTasks, app: Any) -> None:
    """Ask the worker to settle, after the response (so after the request's commit)."""
    celery = getattr(app.state, "celery", None)
    if celery is not None:
        background.add_task(_send, celery)
