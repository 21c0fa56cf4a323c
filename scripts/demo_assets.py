"""The rest of the demo fleet: bonds, a rented property with a year of rent, a live campaign.

Run by `scripts/seed.py` after `demo_history` (which fixes the first day of the demo year), with
each service's app in-process, through its own API:

- fixed income (as demo-admin, through the gateway): two bonds listed;
- real estate (as demo-owner, through the gateway): "Harbour House", bought on the first day and
  appraised half-way, two units let from the first day; the rent run (the realestate worker's use
  case) bills every month of the year and each charge is paid two days after it falls due; the
  portfolio "Demo property" holds the building, with a snapshot for every day of the year taken
  by the gateway's own snapshot use case (a property holding needs no ledger balance, so the
  past days are valued as they were: the purchase price, then the appraisal);
- issuance (as the platform's people, with internal tokens): a verified issuer and the campaign
  "Harbour Solar seed round", submitted, approved and launched (a later run finds it by name
  among the live campaigns).

Each part is written once: found by name, it is left as it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from fleetkit.db import make_sessionmaker
from fleetkit.internal_jwt import TokenMinter
from scripts.demo_history import demo_id

BONDS = [
    {"name": "US Treasury 4.25% 2030", "isin": "US91282CJL63", "coupon_rate": "0.0425",
     "issue_date": "2025-06-30", "maturity_date": "2030-06-30", "frequency": 2},
    {"name": "Harbour Utilities 5% 2028", "isin": "US41150BAA86", "coupon_rate": "0.05",
     "issue_date": "2024-03-15", "maturity_date": "2028-03-15", "frequency": 1,
     "day_count": "30/360 US"},
]  # fmt: skip
BUILDING = "Harbour House"
PROPERTY_PORTFOLIO = "Demo property"
LEASES = [("1A", "Dana Renter", "2400.00"), ("2B", "Sam Lessee", "1950.00")]
CAMPAIGN = "Harbour Solar seed round"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Caller:
    """An httpx client of one app that signs every request with the given headers."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def call(
        self, method: str, path: str, ok: tuple[int, ...] = (), key: str | None = None, **kw: Any
    ) -> Any:
        """`key`: the Idempotency-Key of a request that moves money."""
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        response = await self.client.request(method, path, headers=headers, **kw)
        if response.status_code >= 300 and response.status_code not in ok:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    async def named(self, path: str, name: str) -> dict[str, Any] | None:
        """The first item of a list answer whose name is `name`."""
        page = await self.call("GET", path, params={"limit": "100"})
        items = page["items"] if isinstance(page, dict) else page
        return next((item for item in items if item.get("name") == name), None)


async def list_bonds(admin: Caller) -> int:
    """The demo bonds; an ISIN already listed is left as it is (409 duplicate-bond)."""
    listed = 0
    for bond in BONDS:
        answer = await admin.call("POST", "/api/v1/bonds/bonds", ok=(409,), json=bond)
        listed += 1 if answer and "id" in answer else 0
    return listed


async def let_property(owner: Caller, realestate_app: Any, first: date, today: date) -> str:
    """Harbour House with its two leases and a year of rent billed and paid; its id."""
    from realestate_service.billing.runs import generate_rent

    found = await owner.named("/api/v1/realestate/buildings", BUILDING)
    if found is not None:
        return str(found["id"])
    building = await owner.call("POST", "/api/v1/realestate/buildings", json={
        "name": BUILDING, "address": "1 Quay Street", "purchase_price": "1200000.00",
        "purchase_date": first.isoformat()})  # fmt: skip
    path = f"/api/v1/realestate/buildings/{building['id']}"
    await owner.call("POST", f"{path}/appraisals", json={
        "value": "1265000.00", "valued_on": (first + timedelta(days=182)).isoformat()})  # fmt: skip
    lease_ids = []
    for label, renter_name, rent in LEASES:
        unit = await owner.call("POST", f"{path}/units", json={"label": label, "bedrooms": 2})
        renter = await owner.call("POST", "/api/v1/realestate/tenants", json={"name": renter_name})
        lease = await owner.call("POST", "/api/v1/realestate/leases", json={
            "unit_id": unit["id"], "tenant_id": renter["id"], "start_on": first.isoformat(),
            "rent": [{"effective_on": first.isoformat(), "amount": rent}]})  # fmt: skip
        await owner.call("POST", f"/api/v1/realestate/leases/{lease['id']}/activate")
        lease_ids.append(lease["id"])
    async with make_sessionmaker(realestate_app.state.engine)() as session, session.begin():
        await generate_rent(session, today)
    for lease_id in lease_ids:
        ledger = await owner.call("GET", f"/api/v1/realestate/leases/{lease_id}/ledger")
        for charge in ledger["charges"]:
            paid_on = date.fromisoformat(charge["due_on"]) + timedelta(days=2)
            if paid_on < today:
                pay = f"/api/v1/realestate/leases/{lease_id}/payments"
                await owner.call("POST", pay, key=f"demo-rent-{lease_id}-{charge['period']}", json={
                    "amount": charge["amount"], "received_on": paid_on.isoformat(),
                    "reference": f"rent {charge['period']}"})  # fmt: skip
    return str(building["id"])


async def property_portfolio(owner: Caller, building_id: str, first: date, today: date) -> str:
    """ "Demo property" over the building, with a snapshot of every day of the year."""
    found = await owner.named("/api/v1/portfolios", PROPERTY_PORTFOLIO)
    if found is not None:
        return str(found["id"])
    created = await owner.call("POST", "/api/v1/portfolios", json={
        "name": PROPERTY_PORTFOLIO,
        "holdings": [{"kind": "property", "reference": building_id, "share": "1"}]})  # fmt: skip
    day = first
    while day < today:
        await owner.call("POST", f"/api/v1/portfolios/{created['id']}/snapshots",
                         params={"day": day.isoformat()})  # fmt: skip
        day += timedelta(days=1)
    return str(created["id"])


async def launched_campaign(owner: Caller) -> str | None:
    """The demo campaign, live since an earlier run, found by its name among the live ones."""
    page = await owner.call("GET", "/api/v1/issuance/campaigns",
                            params={"status": "active", "limit": 500})  # fmt: skip
    named = [c["id"] for c in page["items"] if c["name"] == CAMPAIGN]
    return str(named[0]) if named else None


async def issuer_cash_account(owner: Caller) -> str:
    """The demo issuer's cash account in the ledger (the same id on every run)."""
    await owner.client.post("/api/v1/ledger/assets", json={"asset": "USD/2"}, headers=owner.headers)
    account = await owner.call("POST", "/api/v1/ledger/accounts", json={
        "id": str(demo_id("account", "demo/issuer/cash")), "name": "demo/issuer/cash",
        "asset": "USD/2", "debits_must_not_exceed_credits": True})  # fmt: skip
    return str(account["id"])


async def launch_campaign(
    issuance: httpx.AsyncClient, minter: TokenMinter, tenant: str, cash_account: str
) -> str:
    """A verified issuer and its campaign, approved and live; the campaign's id."""

    def as_(role: str, **attributes: str) -> Caller:
        token = minter.mint("issuance", subject=f"demo-{role}", tenant_id=tenant,
                            roles=frozenset({role}), attributes=attributes or None)  # fmt: skip
        return Caller(issuance, {"Authorization": f"Bearer {token}"})

    manager = as_("manager")
    issuer = await manager.call("POST", "/v1/issuers", json={
        "name": "Harbour Solar", "cash_account_id": cash_account})  # fmt: skip
    await manager.call("POST", f"/v1/issuers/{issuer['id']}/documents",
                       data={"doc_type": "certificate_of_incorporation"},
                       files={"file": ("incorporation.pdf", PDF, "application/pdf")})  # fmt: skip
    await as_("compliance").call("POST", f"/v1/issuers/{issuer['id']}/kyc", json={
        "decision": "verified", "reason": "documents match the state registry"})  # fmt: skip
    issuer_manager = as_("manager", issuer_id=str(issuer["id"]))
    campaign = await issuer_manager.call("POST", "/v1/campaigns", json={
        "issuer_id": str(issuer["id"]), "name": CAMPAIGN, "unit_price": "10.00",
        "min_target": "50000.00", "max_target": "250000.00", "duration_days": 60,
        "allowed_jurisdictions": ["US", "DE"]})  # fmt: skip
    path = f"/v1/campaigns/{campaign['id']}"
    await issuer_manager.call("POST", f"{path}/submit")
    await as_("compliance").call("POST", f"{path}/review", json={
        "decision": "approve", "reason": "Form C complete"})  # fmt: skip
    await issuer_manager.call("POST", f"{path}/launch")
    return str(campaign["id"])


async def seed_demo_assets(
    gateway_app: Any,
    realestate_app: Any,
    issuance_app: Any,
    password: str,
    first: date,
    today: date | None = None,
) -> dict[str, Any]:
    """Bonds, the property and its portfolio, and the campaign (see the module)."""
    from fleetkit.policy import Role
    from portfolio_service.seed import DEMO_TENANT, demo_email

    today = today or datetime.now(UTC).date()
    transport = httpx.ASGITransport(app=gateway_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as gateway:

        async def signed_in(role: Role) -> Caller:
            form = {"username": demo_email(role), "password": password}
            grant = await gateway.post("/api/v1/auth/token", data=form)
            if grant.status_code != 200:
                raise RuntimeError(f"{demo_email(role)} could not sign in: {grant.text}")
            return Caller(gateway, {"Authorization": f"Bearer {grant.json()['access_token']}"})

        owner = await signed_in(Role.OWNER)
        bonds = await list_bonds(await signed_in(Role.ADMIN))
        building = await let_property(owner, realestate_app, first, today)
        portfolio = await property_portfolio(owner, building, first, today)
        campaign = await launched_campaign(owner)
        if campaign is None:
            cash_account = await issuer_cash_account(owner)
            seed = gateway_app.state.settings.signing_key()
            minter = TokenMinter(gateway_app.state.settings.service_name, seed)
            to_issuance = httpx.ASGITransport(app=issuance_app)
            async with httpx.AsyncClient(transport=to_issuance, base_url="http://i") as issuance:
                campaign = await launch_campaign(issuance, minter, str(DEMO_TENANT), cash_account)
    return {"bonds": bonds, "building_id": building, "property_portfolio_id": portfolio,
            "campaign_id": campaign}  # fmt: skip
