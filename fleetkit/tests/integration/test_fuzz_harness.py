"""The fuzz harness reports what a check refuses, for every operation, not only the first
(schemathesis raises its findings as a BaseExceptionGroup, which `except Exception` misses)."""

from __future__ import annotations

from typing import Any

import pytest

from fleetkit.testing import fuzz, plugin


def refuse_everything(ctx: Any, response: Any, case: Any) -> None:
    raise AssertionError("refused by the test")


def test_every_operation_a_check_refuses_is_reported(
    test_resources: plugin.TestResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fuzz, "FLEET_CHECKS", [refuse_everything])

    failures = fuzz.fuzz_service("ledger_service", test_resources, examples=2)

    reported = {line.split(" (")[0] for line in failures}
    assert {"GET /health", "POST /v1/transactions", "GET /v1/audit/verify"} <= reported
    assert all("refused by the test" in line for line in failures)
