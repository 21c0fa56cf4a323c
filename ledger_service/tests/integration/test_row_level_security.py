"""Row-level security: a query that forgot its tenant filter still sees only its tenant.

The repositories filter by tenant; these tests go around them on purpose, with SQL that names
no tenant, inside transactions opened the way requests open them.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from fleetkit.row_security import TENANT_ROLE, acting_for
from fleetkit.testing.row_security import request_acts_as


async def open_account(client, headers, name):
    await client.post("/v1/assets", json={"asset": "USD/2"}, headers=headers)
    body = {"name": name, "asset": "USD/2"}
    response = await client.post("/v1/accounts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def deposit(client, headers, account_id, amount="10.00"):
    body = {"id": str(uuid.uuid4()), "account_id": account_id, "amount": amount}
    response = await client.post("/v1/deposits", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return body["id"]


@pytest.fixture
async def two_tenants(client, auth_headers):
    acme = auth_headers(tenant_id="acme")
    globex = auth_headers(tenant_id="globex")
    accounts = {
        "acme": await open_account(client, acme, "tenant:acme/user:1/cash"),
        "globex": await open_account(client, globex, "tenant:globex/user:1/cash"),
    }
    await deposit(client, acme, accounts["acme"])
    await deposit(client, globex, accounts["globex"])
    return acme, globex, accounts


async def names_seen(app, tenant_id):
    async with app.state.sessionmaker() as session:
        with acting_for(tenant_id):
            rows = await session.execute(text("SELECT name FROM accounts ORDER BY name"))
        return [row.name for row in rows]


async def test_a_query_without_tenant_filter_sees_only_the_acting_tenant(app, two_tenants):
    acme_names = await names_seen(app, "acme")

    assert acme_names == ["acme/world/USD", "tenant:acme/user:1/cash"]
    assert "tenant:globex/user:1/cash" in await names_seen(app, "globex")


async def test_transactions_of_other_tenants_are_invisible_without_a_filter(app, two_tenants):
    async with app.state.sessionmaker() as session:
        with acting_for("acme"):
            tenants = await session.execute(text("SELECT DISTINCT tenant_id FROM transactions"))
    assert [row.tenant_id for row in tenants] == ["acme"]


async def test_work_for_no_tenant_sees_the_whole_book(app, two_tenants):
    names = await names_seen(app, None)
    assert {"tenant:acme/user:1/cash", "tenant:globex/user:1/cash"} <= set(names)


async def test_writing_a_row_for_another_tenant_is_refused_by_postgres(app, two_tenants):
    async with app.state.sessionmaker() as session:
        with acting_for("acme"), pytest.raises(DBAPIError, match="row-level security"):
            await session.execute(
                text("UPDATE accounts SET tenant_id = 'globex' WHERE name LIKE 'tenant:acme/%'")
            )


async def test_another_tenants_transaction_id_is_taken_not_an_error(client, two_tenants):
    acme, globex, accounts = two_tenants
    their_id = await deposit(client, globex, accounts["globex"])

    body = {"id": their_id, "account_id": accounts["acme"], "amount": "10.00"}
    response = await client.post("/v1/deposits", json=body, headers=acme)

    assert response.status_code == 409, response.text
    assert response.json()["type"] == "urn:finfleet:problem:transaction-id-reused"


async def test_a_request_acts_for_the_tenant_its_token_names(app, client, auth_headers):
    answer = await request_acts_as(app, client, auth_headers(tenant_id="acme"))
    assert answer == {"role": TENANT_ROLE, "tenant": "acme"}
