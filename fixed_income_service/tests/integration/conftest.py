"""The fixed income app wired to a REAL ledger app (in-process, its own migrated database)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from fixed_income_service.tests.acme_note import note
from fleetkit.testing.ledger_accounts import funded_cash_account

TENANT = "acme"


@pytest.fixture
async def desk_app(app_on_ledger):
    """The fixed income app whose ledger client calls the in-process ledger app."""
    return app_on_ledger


@pytest.fixture
async def desk(desk_app):
    transport = httpx.ASGITransport(app=desk_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fixed-income") as client:
        yield client


@pytest.fixture
def admin(auth_headers):
    """Headers of the platform's admin, who keeps the reference data (bonds, curves, fixings)."""
    return auth_headers(tenant_id="ops", roles=frozenset({"admin"}))


@pytest.fixture
def viewer(auth_headers):
    """Headers of a tenant's viewer, who may read."""
    return auth_headers(tenant_id="acme", roles=frozenset({"viewer"}))


@pytest.fixture
def owner(auth_headers):
    """Headers of the tenant's owner, who may trade."""
    return auth_headers(tenant_id=TENANT, roles=frozenset({"owner"}))


@pytest.fixture
async def bond_id(desk, auth_headers) -> str:
    """The Acme note, added by an admin."""
    admin = auth_headers(tenant_id="ops", roles=frozenset({"admin"}))
    response = await desk.post("/v1/bonds", json=note(), headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@dataclass
class Books:
    """The ledger side of users: cash accounts with money in them, balances, transactions."""

    ledger: Any

    async def user(self, name: str, cash: str = "0", tenant: str = TENANT) -> uuid.UUID:
        headers = self.ledger.owner_headers(tenant)
        return await funded_cash_account(self.ledger, headers, tenant, name, cash)

    async def posted(self, account_id: uuid.UUID, tenant: str = TENANT) -> Decimal:
        response = await self.ledger.get(
            f"/v1/accounts/{account_id}/balance", headers=self.ledger.owner_headers(tenant)
        )
        if response.status_code == 404:
            return Decimal(0)
        return Decimal(response.json()["posted"])

    async def transaction(self, transaction_id: str, tenant: str = TENANT) -> dict[str, Any]:
        response = await self.ledger.get(
            f"/v1/transactions/{transaction_id}", headers=self.ledger.owner_headers(tenant)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def books(ledger) -> Books:
    return Books(ledger)


async def ledger_sums(test_resources) -> dict[str, Decimal]:
    """Per asset, the sum of every account's credits minus debits (zero when balanced)."""
    async with test_resources.engine("ledger_service").connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT asset_code, sum(credits_posted - debits_posted) FROM accounts "
                "GROUP BY asset_code"
            )
        )
        return {asset: Decimal(total) for asset, total in rows.all()}


async def outbox_events(engine, type_: str) -> list[dict[str, Any]]:
    """The payloads of the outbox's events of a type, oldest first."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT envelope FROM outbox WHERE type = :type ORDER BY created_at, id"),
            {"type": type_},
        )
        return [row[0]["payload"] for row in rows.all()]
