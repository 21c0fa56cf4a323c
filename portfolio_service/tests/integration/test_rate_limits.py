"""Per-principal rate limits in Redis, answered 429 with Retry-After."""

from __future__ import annotations

import asyncio
import time

import pytest

from portfolio_service.domain.rate_limits import WINDOW_SECONDS


@pytest.fixture
def gateway_settings(settings):
    return settings.model_copy(update={"rate_limit_per_minute": 5})


async def inside_one_window(needed_seconds: int = 15) -> None:
    """Start when the current minute window has room for the whole test."""
    into = time.time() % WINDOW_SECONDS
    if into > WINDOW_SECONDS - needed_seconds:
        await asyncio.sleep(WINDOW_SECONDS - into + 0.1)


async def test_a_principal_over_its_budget_gets_429_with_retry_after(gateway, people):
    await inside_one_window()
    await people.register("rae@example.com")  # charged to the address
    headers = await people.headers("rae@example.com")  # charged to the address

    answers = [await gateway.get("/api/v1/me", headers=headers) for _ in range(6)]

    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[-1].json()["type"] == "urn:finfleet:problem:rate-limited"
    assert 1 <= int(answers[-1].headers["retry-after"]) <= WINDOW_SECONDS


async def test_budgets_are_per_principal(gateway, people):
    await inside_one_window()
    await people.register("sol@example.com", tenant_name="S")
    await people.register("tia@example.com", tenant_name="T")
    sol = await people.headers("sol@example.com")
    tia = await people.headers("tia@example.com")
    for _ in range(5):
        await gateway.get("/api/v1/me", headers=sol)

    assert (await gateway.get("/api/v1/me", headers=sol)).status_code == 429
    assert (await gateway.get("/api/v1/me", headers=tia)).status_code == 200
