"""Who may do what through the gateway: each role of a tenant, and a stranger from another
tenant, against each endpoint. The expectations are written by hand from DESIGN.md §6."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import text

ROLES = ("owner", "manager", "accountant", "viewer", "investor", "compliance", "admin")
STAFF = {"owner", "manager", "accountant", "viewer", "compliance", "admin"}

EXPECTED_ALLOWED = {
    "read portfolio": STAFF,
    "rename portfolio": {"owner", "manager", "admin"},
    "delete portfolio": {"owner", "manager", "admin"},
    "create portfolio": {"owner", "manager", "admin", "investor"},
    "value portfolio": STAFF,
    "list members": STAFF,
    "invite member": {"owner", "admin"},
    "read ledger (forwarded)": STAFF,
    "post to ledger (forwarded)": {"owner", "accountant"},
    "attribute portfolio": STAFF,
    "define benchmark": {"owner", "admin"},
    "list benchmarks": STAFF,
    "change member roles": {"owner", "admin"},
    "remove member": {"owner", "admin"},
    "read audit log": {"owner", "admin"},
}
CASH_BENCHMARK = {"components": [{"asset_class": "cash", "weight": "1", "annual_rate": "0"}]}


async def a_member_to_remove(committed, tenant: str) -> str:
    """A member written straight into the tables (signing one up costs an argon2 hash)."""
    user = str(uuid.uuid4())
    async with committed.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO users (id, email, display_name, password_hash) "
                "VALUES (:u, :e, 'gone', 'x')"
            ),
            {"u": user, "e": f"{user}@example.com"},
        )
        await connection.execute(
            text("INSERT INTO memberships (tenant_id, user_id, roles) "
                 "VALUES (:t, :u, ARRAY['viewer'])"), {"t": tenant, "u": user})  # fmt: skip
    return user


async def test_each_role_against_each_endpoint(gateway, people, committed):
    owner = await people.register("root@example.com", tenant_name="Matrix")
    tenant = owner["memberships"][0]["tenant_id"]
    owner_headers = await people.headers("root@example.com")
    headers = {"owner": owner_headers}
    for role in ROLES[1:]:
        headers[role] = await people.member(owner_headers, tenant, f"{role}@example.com", [role])
    await gateway.put("/api/v1/benchmarks/cash", json=CASH_BENCHMARK, headers=owner_headers)
    listed = await gateway.get(f"/api/v1/tenants/{tenant}/members", headers=owner_headers)
    viewer_id = next(m["user_id"] for m in listed.json() if m["roles"] == ["viewer"])

    async def attempt(role: str, action: str) -> int:
        h = headers[role]
        made = await gateway.post(
            "/api/v1/portfolios", json={"name": "target"}, headers=owner_headers
        )
        pid = made.json()["id"]
        doomed = await a_member_to_remove(committed, tenant) if action == "remove member" else ""
        calls = {
            "read portfolio": lambda: gateway.get(f"/api/v1/portfolios/{pid}", headers=h),
            "rename portfolio": lambda: gateway.patch(
                f"/api/v1/portfolios/{pid}", json={"name": "renamed"}, headers=h
            ),
            "delete portfolio": lambda: gateway.delete(f"/api/v1/portfolios/{pid}", headers=h),
            "create portfolio": lambda: gateway.post(
                "/api/v1/portfolios", json={"name": "mine"}, headers=h
            ),
            "value portfolio": lambda: gateway.get(
                f"/api/v1/portfolios/{pid}/valuation", headers=h
            ),
            "list members": lambda: gateway.get(f"/api/v1/tenants/{tenant}/members", headers=h),
            "invite member": lambda: gateway.post(
                f"/api/v1/tenants/{tenant}/invitations",
                json={"email": f"new-{role}@example.com", "roles": ["viewer"]},
                headers=h,
            ),
            "read ledger (forwarded)": lambda: gateway.get("/api/v1/ledger/assets", headers=h),
            "post to ledger (forwarded)": lambda: gateway.post(
                "/api/v1/ledger/assets", json={"asset": "USD/2"}, headers=h
            ),
            "attribute portfolio": lambda: gateway.get(
                f"/api/v1/portfolios/{pid}/attribution",
                params={"from": "2024-01-01", "to": "2024-12-31", "benchmark": "cash"},
                headers=h,
            ),
            "define benchmark": lambda: gateway.put(
                "/api/v1/benchmarks/cash", json=CASH_BENCHMARK, headers=h
            ),
            "list benchmarks": lambda: gateway.get("/api/v1/benchmarks", headers=h),
            "change member roles": lambda: gateway.patch(
                f"/api/v1/tenants/{tenant}/members/{viewer_id}",
                json={"roles": ["viewer"]},
                headers=h,
            ),
            "remove member": lambda: gateway.delete(
                f"/api/v1/tenants/{tenant}/members/{doomed}", headers=h
            ),
            "read audit log": lambda: gateway.get(f"/api/v1/tenants/{tenant}/audit-log", headers=h),
        }
        answer: httpx.Response = await calls[action]()
        return answer.status_code

    observed = {
        action: {role for role in ROLES if await attempt(role, action) < 400}
        for action in EXPECTED_ALLOWED
    }

    assert observed == EXPECTED_ALLOWED


async def test_every_refusal_inside_the_tenant_is_403_not_404(gateway, people):
    owner = await people.register("own@example.com", tenant_name="T")
    tenant = owner["memberships"][0]["tenant_id"]
    owner_headers = await people.headers("own@example.com")
    viewer = await people.member(owner_headers, tenant, "view@example.com", ["viewer"])
    pid = (
        await gateway.post("/api/v1/portfolios", json={"name": "p"}, headers=owner_headers)
    ).json()["id"]

    response = await gateway.patch(f"/api/v1/portfolios/{pid}", json={"name": "x"}, headers=viewer)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_another_tenants_portfolio_is_404_for_every_role_and_endpoint(gateway, people):
    victim = await people.register("vic@example.com", tenant_name="Victim")
    victim_headers = await people.headers("vic@example.com")
    pid = (
        await gateway.post("/api/v1/portfolios", json={"name": "secret"}, headers=victim_headers)
    ).json()["id"]
    victim_tenant = victim["memberships"][0]["tenant_id"]
    attacker = await people.register("mal@example.com", tenant_name="Attacker")
    mal = await people.headers("mal@example.com")
    admin = await people.member(
        mal, attacker["memberships"][0]["tenant_id"], "adm@example.com", ["admin"]
    )

    answers = []
    for h in (mal, admin):
        answers += [
            (await gateway.get(f"/api/v1/portfolios/{pid}", headers=h)).status_code,
            (await gateway.get(f"/api/v1/portfolios/{pid}/valuation", headers=h)).status_code,
            (await gateway.get(f"/api/v1/portfolios/{pid}/holdings", headers=h)).status_code,
            (
                await gateway.patch(f"/api/v1/portfolios/{pid}", json={"name": "x"}, headers=h)
            ).status_code,
            (await gateway.delete(f"/api/v1/portfolios/{pid}", headers=h)).status_code,
            (await gateway.get(f"/api/v1/tenants/{victim_tenant}/members", headers=h)).status_code,
        ]
    listed = (await gateway.get("/api/v1/portfolios", headers=mal)).json()["items"]

    assert set(answers) == {404}
    assert listed == []


async def test_an_investor_sees_only_their_own_portfolios(gateway, people):
    owner = await people.register("boss@example.com", tenant_name="Fund")
    boss = await people.headers("boss@example.com")
    inv = await people.member(boss, owner["memberships"][0]["tenant_id"], "inv@example.com",
                              ["investor"])  # fmt: skip
    await gateway.post("/api/v1/portfolios", json={"name": "house"}, headers=boss)
    mine = (await gateway.post("/api/v1/portfolios", json={"name": "mine"}, headers=inv)).json()

    listed = (await gateway.get("/api/v1/portfolios", headers=inv)).json()["items"]
    own = await gateway.get(f"/api/v1/portfolios/{mine['id']}", headers=inv)

    assert [p["name"] for p in listed] == ["mine"]
    assert own.status_code == 200


async def test_a_dev_token_with_a_tenant_that_is_not_ours_is_refused_not_crashed(
    gateway, mint_token
):
    from portfolio_service.identity.tokens import PUBLIC_AUDIENCE

    token = mint_token(audience=PUBLIC_AUDIENCE, tenant_id="dev-tenant", subject="dev-user")

    headers = {"Authorization": f"Bearer {token}"}

    portfolios = await gateway.get("/api/v1/portfolios", headers=headers)
    me = await gateway.get("/api/v1/me", headers=headers)
    keys = await gateway.get("/api/v1/api-keys", headers=headers)

    assert portfolios.status_code == me.status_code == keys.status_code == 403
    assert portfolios.json()["type"] == "urn:finfleet:problem:tenant-unknown"


async def test_the_store_lists_what_each_role_may_buy_and_names_silent_services(
    gateway, people, market
):
    await market.list("ACME")
    owner = await people.register("shop@example.com", tenant_name="Shop")
    boss = await people.headers("shop@example.com")
    viewer = await people.member(boss, owner["memberships"][0]["tenant_id"], "look@example.com",
                                 ["viewer"])  # fmt: skip

    for_owner = (await gateway.get("/api/v1/store/assets", headers=boss)).json()
    for_viewer = (await gateway.get("/api/v1/store/assets", headers=viewer)).json()

    assert [(i["kind"], i["detail"]["symbol"]) for i in for_owner["items"]] == [("share", "ACME")]
    assert for_viewer["items"] == []  # a viewer may trade nothing
    assert for_owner["unavailable"] == ["fixed_income", "issuance"]
