"""Smoke: the supervised fleet comes up and a killed app comes back."""

from __future__ import annotations

import signal

import httpx
import pytest

from tests.fleet_processes import eventually

pytestmark = pytest.mark.chaos


def test_a_killed_app_is_restarted_and_ready_again(supervised):
    old = supervised.supervisor.signal_group("ledger-app", signal.SIGKILL)
    supervised.supervisor.wait_restarted("ledger-app", old)

    def ready() -> bool:
        try:
            return httpx.get(f"{supervised.fleet.url('ledger')}/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    assert eventually(ready, 60), supervised.fleet.logs()
