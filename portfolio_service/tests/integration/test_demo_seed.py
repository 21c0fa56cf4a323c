"""The demo identity seed: one tenant, a user per role, idempotent, usable for sign-in."""

from __future__ import annotations

from sqlalchemy import text

from portfolio_service.seed import DEFAULT_PASSWORD, seed_demo_identity


async def test_the_seed_creates_a_user_per_role_once_and_they_can_sign_in(
    gateway, committed, people
):
    first = await seed_demo_identity(committed, DEFAULT_PASSWORD)
    again = await seed_demo_identity(committed, DEFAULT_PASSWORD)

    async with committed.connect() as connection:
        tenants = await connection.scalar(text("SELECT count(*) FROM tenants"))
        roles = (await connection.execute(text("SELECT roles[1] FROM memberships"))).scalars()
        role_set = set(roles)
    grant = await people.token("demo-investor@finfleet.example", password=DEFAULT_PASSWORD)

    assert (first, again, tenants) == (7, 0, 1)
    assert role_set == {"owner", "manager", "accountant", "viewer", "investor", "compliance",
                        "admin"}  # fmt: skip
    assert grant["roles"] == ["investor"]
