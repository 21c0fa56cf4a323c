"""The realestate app wired to a REAL ledger app (in-process, its own migrated database)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest

from fleetkit.db import make_sessionmaker
from realestate_service.billing.runs import generate_rent, run_late_fees

ORG = "acme-homes"
_keys = itertools.count()


@pytest.fixture
def ledger_tenant() -> str:
    return ORG


@pytest.fixture
async def re_app(app_on_ledger):
    return app_on_ledger


class Api:
    """An httpx client of the realestate app that signs as a role of an organization."""

    def __init__(self, client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]):
        self.client = client
        self.auth_headers = auth_headers

    def headers(self, role: str = "owner", org: str = ORG) -> dict[str, str]:
        return {
            **self.auth_headers(tenant_id=org, roles=frozenset({role}), subject=f"{role}-1"),
            "Idempotency-Key": f"key-{next(_keys)}",
        }

    async def call(
        self, method: str, path: str, role: str = "owner", org: str = ORG, **kwargs: Any
    ) -> httpx.Response:
        headers = {**self.headers(role, org), **kwargs.pop("headers", {})}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def lease(
        self,
        rent: str = "1400",
        start: str = "2025-03-15",
        *,
        end: str | None = None,
        due_day: int = 1,
        proration: str = "actual_days",
        unit_label: str | None = None,
        building: str | None = None,
    ) -> dict[str, Any]:
        """A building (or the one given), a unit, a renter and an active lease."""
        if building is None:
            building = (await self.ok("POST", "/v1/buildings", json={"name": "Elm St 5"}))["id"]
        unit = await self.ok(
            "POST",
            f"/v1/buildings/{building}/units",
            json={"label": unit_label or f"U{next(_keys)}"},
        )
        renter = await self.ok("POST", "/v1/tenants", json={"name": "Dana Renter"})
        body = {
            "unit_id": unit["id"],
            "tenant_id": renter["id"],
            "start_on": start,
            "end_on": end,
            "due_day": due_day,
            "proration": proration,
            "rent": [{"effective_on": start, "amount": rent}],
        }
        lease = await self.ok("POST", "/v1/leases", json=body)
        lease = await self.ok("POST", f"/v1/leases/{lease['id']}/activate")
        lease["building_id"] = building
        return dict(lease)

    async def pay(self, lease_id: str, amount: str, on: str, **kwargs: Any) -> Any:
        body = {"amount": amount, "received_on": on, **kwargs}
        return await self.ok("POST", f"/v1/leases/{lease_id}/payments", json=body)

    async def charge(self, lease_id: str, kind: str, amount: str, due_on: str) -> Any:
        body = {"kind": kind, "amount": amount, "due_on": due_on}
        return await self.ok("POST", f"/v1/leases/{lease_id}/charges", json=body)

    async def balance(self, lease_id: str) -> dict[str, str]:
        return dict(await self.ok("GET", f"/v1/leases/{lease_id}/balance"))

    async def ledger(self, lease_id: str) -> Any:
        return await self.ok("GET", f"/v1/leases/{lease_id}/ledger")


@pytest.fixture
async def api(re_app, auth_headers):
    transport = httpx.ASGITransport(app=re_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://realestate") as client:
        yield Api(client, auth_headers)


@pytest.fixture
def runs(re_app):
    """The daily runs' bodies on the app's database, one transaction each."""

    class Runs:
        async def rent(self, as_of: str) -> int:
            async with make_sessionmaker(re_app.state.engine)() as session, session.begin():
                return await generate_rent(session, date.fromisoformat(as_of))

        async def fees(self, as_of: str) -> tuple[int, int]:
            async with make_sessionmaker(re_app.state.engine)() as session, session.begin():
                return await run_late_fees(session, date.fromisoformat(as_of))

        async def days(self, first: str, last: str) -> None:
            """Run both jobs every day from `first` to `last`, like the beat would."""
            from datetime import timedelta

            day, end = date.fromisoformat(first), date.fromisoformat(last)
            while day <= end:
                await self.rent(day.isoformat())
                await self.fees(day.isoformat())
                day += timedelta(days=1)

    return Runs()
