"""Sign-up, sign-in, rotating refresh tokens, lockout and API keys, through the public API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from portfolio_service.domain.lockout import FREE_ATTEMPTS


async def test_register_sign_in_and_me(gateway, people):
    registered = await people.register("ann@example.com", tenant_name="Ann Capital")
    [membership] = registered["memberships"]
    assert membership["roles"] == ["owner"]

    grant = await people.token("ann@example.com")
    me = await gateway.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {grant['access_token']}"}
    )

    assert grant["token_type"] == "bearer"
    assert grant["expires_in"] == 300
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "ann@example.com"
    assert me.json()["tenant_id"] == membership["tenant_id"]
    assert me.json()["roles"] == ["owner"]


async def test_email_is_unique_whatever_its_case(gateway, people):
    await people.register("bob@example.com")
    response = await gateway.post("/api/v1/auth/register", json={
        "email": "BOB@example.com", "password": "another long password",
        "display_name": "Bob", "tenant_name": "Other"})  # fmt: skip

    assert response.status_code == 409
    assert response.json()["type"] == "urn:finfleet:problem:email-taken"


async def test_short_password_is_refused(gateway):
    response = await gateway.post("/api/v1/auth/register", json={
        "email": "c@example.com", "password": "short", "display_name": "C",
        "tenant_name": "C"})  # fmt: skip

    assert response.status_code == 422


async def test_password_is_stored_as_argon2id(people, committed):
    await people.register("dora@example.com")

    async with committed.connect() as connection:
        stored = await connection.scalar(text("SELECT password_hash FROM users"))

    assert stored.startswith("$argon2id$")


async def test_wrong_password_is_refused_without_saying_which_part_is_wrong(people):
    await people.register("eve@example.com")

    wrong = await people.sign_in("eve@example.com", "not the password at all")
    unknown = await people.sign_in("nobody@example.com", "not the password at all")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["type"] == unknown.json()["type"] == "urn:finfleet:problem:invalid-grant"
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_repeated_failures_lock_the_account_with_retry_after(people, committed):
    await people.register("finn@example.com")
    for _ in range(FREE_ATTEMPTS):
        assert (await people.sign_in("finn@example.com", "wrong password!!")).status_code == 401

    locked = await people.sign_in("finn@example.com")  # even the right password waits

    assert locked.status_code == 429
    assert locked.json()["type"] == "urn:finfleet:problem:sign-in-locked"
    assert 1 <= int(locked.headers["retry-after"]) <= 30
    async with committed.begin() as connection:  # the lock runs out
        await connection.execute(text("UPDATE users SET locked_until = now() - interval '1 s'"))
    assert (await people.sign_in("finn@example.com")).status_code == 200


async def test_each_failure_after_the_lock_doubles_the_wait(people, committed):
    await people.register("gus@example.com")
    waits = []
    for _ in range(FREE_ATTEMPTS + 2):
        async with committed.begin() as connection:
            await connection.execute(text("UPDATE users SET locked_until = NULL"))
        await people.sign_in("gus@example.com", "wrong password!!")
        async with committed.connect() as connection:
            waits.append(await connection.scalar(text("SELECT locked_until - now() FROM users")))

    assert waits[: FREE_ATTEMPTS - 1] == [None] * (FREE_ATTEMPTS - 1)
    seconds = [w.total_seconds() for w in waits[FREE_ATTEMPTS - 1 :]]
    # Read a moment after the app set them: a second of slack, no more.
    assert [pytest.approx(s, abs=1.5) for s in (30, 60, 120)] == seconds


async def test_refresh_rotates_and_the_old_token_is_used_up(gateway, people):
    await people.register("hal@example.com")
    first = await people.token("hal@example.com")

    second = await gateway.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )

    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    me = await gateway.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {second.json()['access_token']}"}
    )
    assert me.status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(gateway, people):
    await people.register("ivy@example.com")
    first = await people.token("ivy@example.com")
    second = (
        await gateway.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()

    replay = await gateway.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    after = await gateway.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )

    assert replay.status_code == 401
    assert replay.json()["type"] == "urn:finfleet:problem:refresh-token-reused"
    assert after.status_code == 401  # the legitimate holder's token died with the family


async def test_reuse_revokes_only_its_own_family(gateway, people):
    await people.register("jon@example.com")
    laptop = await people.token("jon@example.com")
    phone = await people.token("jon@example.com")
    await gateway.post("/api/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]})
    await gateway.post("/api/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]})

    other = await gateway.post(
        "/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}
    )

    assert other.status_code == 200


async def test_expired_refresh_token_is_refused(gateway, people, committed):
    await people.register("kim@example.com")
    grant = await people.token("kim@example.com")
    async with committed.begin() as connection:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await connection.execute(text("UPDATE refresh_tokens SET expires_at = :t"), {"t": past})

    response = await gateway.post(
        "/api/v1/auth/refresh", json={"refresh_token": grant["refresh_token"]}
    )

    assert response.status_code == 401
    assert response.json()["detail"] == "the refresh token has expired"


async def test_logout_revokes_the_refresh_token(gateway, people):
    await people.register("lea@example.com")
    grant = await people.token("lea@example.com")

    out = await gateway.post("/api/v1/auth/logout", json={"refresh_token": grant["refresh_token"]})
    response = await gateway.post(
        "/api/v1/auth/refresh", json={"refresh_token": grant["refresh_token"]}
    )

    assert out.status_code == 204
    assert response.status_code == 401


async def test_unknown_refresh_token_is_refused(gateway):
    response = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": "rt_forged"})

    assert response.status_code == 401


async def test_a_member_of_two_tenants_names_one(gateway, people):
    owner = await people.register("max@example.com", tenant_name="First")
    other = await people.register("ned@example.com", tenant_name="Second")
    ned = await people.headers("ned@example.com")
    invited = await gateway.post(
        f"/api/v1/tenants/{other['memberships'][0]['tenant_id']}/invitations",
        json={"email": "max@example.com", "roles": ["viewer"]}, headers=ned,
    )  # fmt: skip
    max_headers = await people.headers("max@example.com")
    accepted = await gateway.post(
        "/api/v1/invitations/accept", json={"token": invited.json()["token"]}, headers=max_headers
    )

    ambiguous = await people.sign_in("max@example.com")
    chosen = await people.sign_in("max@example.com", tenant_id=other["memberships"][0]["tenant_id"])

    assert accepted.status_code == 204
    assert ambiguous.status_code == 422
    assert ambiguous.json()["type"] == "urn:finfleet:problem:tenant-required"
    assert chosen.status_code == 200
    assert chosen.json()["roles"] == ["viewer"]
    assert chosen.json()["tenant_id"] != owner["memberships"][0]["tenant_id"]


async def test_an_invitation_is_used_once_and_only_by_its_address(gateway, people):
    owner = await people.register("ola@example.com")
    headers = await people.headers("ola@example.com")
    tenant = owner["memberships"][0]["tenant_id"]
    invited = await gateway.post(
        f"/api/v1/tenants/{tenant}/invitations",
        json={"email": "pia@example.com", "roles": ["manager"]}, headers=headers,
    )  # fmt: skip
    token = invited.json()["token"]

    wrong_person = await gateway.post("/api/v1/auth/register", json={
        "email": "quinn@example.com", "password": "a long enough password",
        "display_name": "Q", "invitation_token": token})  # fmt: skip
    await people.register("pia@example.com", tenant_name=None, invitation_token=token)
    again = await gateway.post("/api/v1/auth/register", json={
        "email": "pia2@example.com", "password": "a long enough password",
        "display_name": "P", "invitation_token": token})  # fmt: skip

    assert wrong_person.status_code == again.status_code == 422
    assert (await people.token("pia@example.com"))["roles"] == ["manager"]
