"""API keys: hashed, scoped, revocable, never more than their creator."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text


@pytest.fixture
async def owner(people):
    registered = await people.register("kay@example.com", tenant_name="Keys Ltd")
    return {
        "tenant": registered["memberships"][0]["tenant_id"],
        "headers": await people.headers("kay@example.com"),
    }


async def new_key(gateway, headers, scopes, roles=None):
    body = {"name": "robot", "scopes": scopes, **({"roles": roles} if roles else {})}
    response = await gateway.post("/api/v1/api-keys", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_an_api_key_authenticates_as_its_creator_in_its_tenant(gateway, owner):
    key = await new_key(gateway, owner["headers"], ["read"])

    me = await gateway.get("/api/v1/me", headers={"X-API-Key": key["key"]})

    assert me.status_code == 200
    assert me.json()["authenticated_by"] == "api_key"
    assert me.json()["tenant_id"] == owner["tenant"]


async def test_only_a_digest_of_the_key_is_stored(gateway, owner, committed):
    key = await new_key(gateway, owner["headers"], ["read"])

    async with committed.connect() as connection:
        stored = await connection.scalar(text("SELECT key_hash FROM api_keys"))

    assert key["key"] not in stored
    assert len(stored) == 64


async def test_a_read_only_key_cannot_write(gateway, owner):
    key = {"X-API-Key": (await new_key(gateway, owner["headers"], ["read"]))["key"]}

    read = await gateway.get("/api/v1/portfolios", headers=key)
    write = await gateway.post("/api/v1/portfolios", json={"name": "x"}, headers=key)
    move = await gateway.post("/api/v1/ledger/assets", json={"asset": "USD/2"}, headers=key)

    assert read.status_code == 200
    assert write.status_code == 403
    assert move.status_code == 403


async def test_money_movements_need_the_trade_scope(gateway, owner):
    writer = {"X-API-Key": (await new_key(gateway, owner["headers"], ["read", "write"]))["key"]}
    trader = {"X-API-Key": (await new_key(gateway, owner["headers"], ["read", "trade"]))["key"]}

    refused = await gateway.post("/api/v1/ledger/assets", json={"asset": "USD/2"}, headers=writer)
    allowed = await gateway.post("/api/v1/ledger/assets", json={"asset": "USD/2"}, headers=trader)

    assert refused.status_code == 403
    assert allowed.status_code in (200, 201)


async def test_a_key_cannot_carry_roles_its_creator_lacks(gateway, people, owner):
    viewer = await people.member(owner["headers"], owner["tenant"], "vic@example.com", ["viewer"])

    response = await gateway.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["read"], "roles": ["owner"]},
        headers=viewer,
    )  # fmt: skip

    assert response.status_code == 403


async def test_a_revoked_key_is_refused(gateway, owner):
    key = await new_key(gateway, owner["headers"], ["read"])

    revoked = await gateway.delete(f"/api/v1/api-keys/{key['id']}", headers=owner["headers"])
    me = await gateway.get("/api/v1/me", headers={"X-API-Key": key["key"]})

    assert revoked.json()["revoked_at"] is not None
    assert me.status_code == 401


async def test_a_forged_key_is_refused(gateway, owner):
    key = await new_key(gateway, owner["headers"], ["read"])
    forged = key["key"][:-4] + "AAAA"

    assert (await gateway.get("/api/v1/me", headers={"X-API-Key": forged})).status_code == 401


async def test_another_tenants_key_cannot_be_revoked(gateway, people, owner):
    key = await new_key(gateway, owner["headers"], ["read"])
    await people.register("zed@example.com", tenant_name="Elsewhere")
    stranger = await people.headers("zed@example.com")

    response = await gateway.delete(f"/api/v1/api-keys/{key['id']}", headers=stranger)

    assert response.status_code == 404


async def test_unknown_key_id_is_404(gateway, owner):
    response = await gateway.delete(f"/api/v1/api-keys/{uuid.uuid4()}", headers=owner["headers"])

    assert response.status_code == 404
