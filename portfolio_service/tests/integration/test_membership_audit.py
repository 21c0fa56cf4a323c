"""Changing a member's roles and removing members: owners and admins only, never the last
owner, every change in the tenant's append-only audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError


@pytest.fixture
async def tenant(people):
    registered = await people.register("olga@example.com", tenant_name="Audited")
    owner = await people.headers("olga@example.com")
    tenant_id = registered["memberships"][0]["tenant_id"]
    return {"id": tenant_id, "owner": owner, "owner_id": registered["id"]}


async def member_id(gateway, tenant, email: str) -> str:
    members = (
        await gateway.get(f"/api/v1/tenants/{tenant['id']}/members", headers=tenant["owner"])
    ).json()
    return str(next(m["user_id"] for m in members if m["email"] == email))


async def test_a_role_change_is_applied_and_audited_with_before_and_after(gateway, people, tenant):
    await people.member(tenant["owner"], tenant["id"], "vic@example.com", ["viewer"])
    vic = await member_id(gateway, tenant, "vic@example.com")
    members = f"/api/v1/tenants/{tenant['id']}/members"

    changed = await gateway.patch(
        f"{members}/{vic}", json={"roles": ["manager", "viewer"]}, headers=tenant["owner"]
    )
    log = await gateway.get(f"/api/v1/tenants/{tenant['id']}/audit-log", headers=tenant["owner"])
    grant = await people.token("vic@example.com")

    assert changed.status_code == 200, changed.text
    assert changed.json()["roles"] == ["manager", "viewer"]
    entries = log.json()["items"]
    assert [e["action"] for e in entries] == ["member_invited", "member_joined", "roles_changed"]
    invited, joined, re_roled = entries
    assert invited["actor_user_id"] == tenant["owner_id"]
    assert (invited["member_user_id"], invited["member_email"]) == (None, "vic@example.com")
    assert (joined["actor_user_id"], joined["after"]) == (vic, {"roles": ["viewer"]})
    assert re_roled["actor_user_id"] == tenant["owner_id"]
    assert re_roled["member_user_id"] == vic
    assert re_roled["before"] == {"roles": ["viewer"]}
    assert re_roled["after"] == {"roles": ["manager", "viewer"]}
    assert re_roled["at"]
    me = await gateway.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {grant['access_token']}"}
    )
    assert me.json()["roles"] == ["manager", "viewer"]


async def test_the_last_owner_can_be_neither_demoted_nor_removed(gateway, people, tenant):
    members = f"/api/v1/tenants/{tenant['id']}/members"
    me = tenant["owner_id"]

    demoted = await gateway.patch(f"{members}/{me}", json={"roles": ["admin"]},
                                  headers=tenant["owner"])  # fmt: skip
    removed = await gateway.delete(f"{members}/{me}", headers=tenant["owner"])

    assert demoted.status_code == removed.status_code == 409
    assert demoted.json()["type"] == "urn:finfleet:problem:last-owner"
    await people.member(tenant["owner"], tenant["id"], "co@example.com", ["owner"])
    promoted_away = await gateway.patch(
        f"{members}/{me}", json={"roles": ["admin"]}, headers=tenant["owner"]
    )
    assert promoted_away.status_code == 200  # another owner remains


async def test_an_admin_manages_members_but_never_the_owner_role(gateway, people, tenant):
    admin = await people.member(tenant["owner"], tenant["id"], "ada@example.com", ["admin"])
    await people.member(tenant["owner"], tenant["id"], "vic@example.com", ["viewer"])
    vic = await member_id(gateway, tenant, "vic@example.com")
    members = f"/api/v1/tenants/{tenant['id']}/members"

    to_owner = await gateway.patch(f"{members}/{vic}", json={"roles": ["owner"]}, headers=admin)
    demote_owner = await gateway.patch(
        f"{members}/{tenant['owner_id']}", json={"roles": ["viewer"]}, headers=admin
    )
    remove_owner = await gateway.delete(f"{members}/{tenant['owner_id']}", headers=admin)
    to_accountant = await gateway.patch(
        f"{members}/{vic}", json={"roles": ["accountant"]}, headers=admin
    )

    assert to_owner.status_code == demote_owner.status_code == remove_owner.status_code == 403
    assert to_owner.json()["type"] == "urn:finfleet:problem:owner-role-reserved"
    assert to_accountant.status_code == 200


async def test_a_removed_member_loses_the_tenant_and_its_sessions(gateway, people, tenant):
    await people.member(tenant["owner"], tenant["id"], "rem@example.com", ["manager"])
    grant = await people.token("rem@example.com")
    rem = await member_id(gateway, tenant, "rem@example.com")

    removed = await gateway.delete(
        f"/api/v1/tenants/{tenant['id']}/members/{rem}", headers=tenant["owner"]
    )
    refreshed = await gateway.post(
        "/api/v1/auth/refresh", json={"refresh_token": grant["refresh_token"]}
    )
    again = await gateway.delete(
        f"/api/v1/tenants/{tenant['id']}/members/{rem}", headers=tenant["owner"]
    )
    log = (
        await gateway.get(f"/api/v1/tenants/{tenant['id']}/audit-log", headers=tenant["owner"])
    ).json()["items"]

    assert removed.status_code == 204
    assert refreshed.status_code == 401
    assert again.status_code == 404
    assert log[-1]["action"] == "member_removed"
    assert (log[-1]["before"], log[-1]["after"]) == ({"roles": ["manager"]}, None)


async def test_the_audit_log_is_for_owners_and_admins_of_the_tenant_only(gateway, people, tenant):
    manager = await people.member(tenant["owner"], tenant["id"], "man@example.com", ["manager"])
    await people.register("eve@example.com", tenant_name="Elsewhere")
    stranger = await people.headers("eve@example.com")
    url = f"/api/v1/tenants/{tenant['id']}/audit-log"

    assert (await gateway.get(url, headers=manager)).status_code == 403
    assert (await gateway.get(url, headers=stranger)).status_code == 404
    paged = await gateway.get(url, params={"limit": 1}, headers=tenant["owner"])
    rest = await gateway.get(
        url, params={"cursor": paged.json()["next_cursor"]}, headers=tenant["owner"]
    )
    assert [e["action"] for e in paged.json()["items"] + rest.json()["items"]] == [
        "member_invited", "member_joined"]  # fmt: skip


async def test_audit_rows_cannot_be_rewritten_or_deleted(gateway, people, tenant, committed):
    await people.member(tenant["owner"], tenant["id"], "vic@example.com", ["viewer"])

    for statement in ("UPDATE membership_audit SET action = 'roles_changed'",
                      "DELETE FROM membership_audit"):  # fmt: skip
        with pytest.raises(DBAPIError, match="append-only"):
            async with committed.begin() as connection:
                await connection.execute(text(statement))
