"""The clients the load bench seeds through the gateway, before any load.

Each client is a user of its own tenant (register, sign in) with a funded cash account, a
portfolio, a listed bond, a campaign open for pledges and an active lease: what the mix of
bench/load/workload.py touches.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

import httpx

from equity_service.domain.isin import isin_check_digit
from fleetkit.internal_jwt import MAX_TTL_SECONDS, TokenMinter

PASSWORD = "load bench password, long enough"
PDF = b"%PDF-1.7\n% load bench\n"


class Investor:
    """The investor who pledges: a user the fleet signs in directly (as tests/e2e does), with a
    token renewed before its 300 s, the longest the fleet accepts, run out."""

    def __init__(self, seed: bytes, tenant: str, renew_after_seconds: float = 200) -> None:
        self._minter = TokenMinter("portfolio", seed, ttl_seconds=MAX_TTL_SECONDS)
        self._tenant, self._renew_after = tenant, renew_after_seconds
        self._minted_at, self._token = -math.inf, ""

    def headers(self) -> dict[str, str]:
        if time.monotonic() - self._minted_at > self._renew_after:
            self._token = self._minter.mint("finfleet-api", subject="load-investor",
                                            tenant_id=self._tenant, roles={"investor"})  # fmt: skip
            self._minted_at = time.monotonic()
        return {"Authorization": f"Bearer {self._token}"}


@dataclass(frozen=True)
class Target:
    """Where the load goes: the gateway, and the key it signs user tokens with (the bench signs
    in its operator, compliance officer and investor directly, as tests/e2e does). `run` keeps
    the names of one run's users and bonds apart from an earlier run's on the same fleet."""

    gateway: str
    signing_seed: bytes
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def user_token(self, *, subject: str, tenant: str, roles: frozenset[str],
                   attributes: dict[str, str] | None = None) -> str:  # fmt: skip
        minter = TokenMinter("portfolio", self.signing_seed)
        return minter.mint("finfleet-api", subject=subject, tenant_id=tenant, roles=roles,
                           attributes=attributes)  # fmt: skip


@dataclass
class Client:
    """One seeded user and what it owns."""

    api: httpx.AsyncClient
    investor: Investor
    cash: str
    portfolio: str
    bond: str
    campaign: str
    lease: str
    refresh_token: str = ""
    serial: count[int] = field(default_factory=count)


def keyed() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def created(response: Awaitable[httpx.Response]) -> dict[str, str]:
    answer = await response
    if answer.status_code not in (200, 201):
        raise RuntimeError(
            f"seeding failed: {answer.request.url} {answer.status_code} {answer.text}"
        )
    return dict(answer.json())


async def seed_client(target: Target, number: int, limits: httpx.Limits) -> Client:
    """Register user `number` and give it everything the mix touches."""
    email = f"load-{target.run}-{number}@example.com"
    api = httpx.AsyncClient(base_url=f"{target.gateway}/api/v1", timeout=30, limits=limits)
    registered = await created(api.post("/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": f"Load {number}",
        "tenant_name": f"Load {number}"}))  # fmt: skip
    tenant = registered["memberships"][0]["tenant_id"]  # type: ignore[index]
    grant = await created(api.post("/auth/token", data={"username": email, "password": PASSWORD}))
    api.headers["Authorization"] = f"Bearer {grant['access_token']}"

    def acting(role: str, subject: str, **attributes: str) -> dict[str, str]:
        token = target.user_token(subject=subject, tenant=tenant, roles=frozenset({role}),
                                 attributes=attributes or None)  # fmt: skip
        return {"Authorization": f"Bearer {token}"}

    await api.post("/ledger/assets", json={"asset": "USD/2"})
    cash = (await created(api.post("/ledger/accounts", json={
        "name": f"load/{number}/cash", "asset": "USD/2",
        "debits_must_not_exceed_credits": True})))["id"]  # fmt: skip
    await created(api.post("/ledger/deposits", headers=keyed(), json={
        "id": str(uuid.uuid4()), "account_id": cash, "amount": "100000000.00"}))  # fmt: skip
    holdings = [{"kind": "cash", "ledger_account_id": cash}]
    portfolio = (await created(api.post("/portfolios", json={
        "name": "Load", "holdings": holdings})))["id"]  # fmt: skip
    bond = await list_bond(api, acting("admin", "load-operator"), number)
    investor, campaign = await open_campaign(target, api, acting, tenant, cash)
    lease = await sign_lease(api)
    return Client(api, investor, cash, portfolio, bond, campaign, lease, grant["refresh_token"])


async def list_bond(api: httpx.AsyncClient, admin: dict[str, str], number: int) -> str:
    maturity = (datetime.now(UTC).date() + timedelta(days=800)).replace(day=15)
    isin = f"US{uuid.uuid4().int % 10**9:09d}"  # unique across runs on one fleet
    isin += str(isin_check_digit(isin))
    return (await created(api.post("/bonds/bonds", headers=admin, json={
        "name": f"Load {number} 4% note", "isin": isin, "currency": "USD", "bond_type": "fixed",
        "coupon_rate": "0.04", "issue_date": (maturity - timedelta(days=1500)).isoformat(),
        "maturity_date": maturity.isoformat(), "frequency": 2, "day_count": "30/360 US",
        "calendar": "WEEKENDS", "payment_convention": "unadjusted"})))["id"]  # fmt: skip


async def open_campaign(
    target: Target,
    api: httpx.AsyncClient,
    acting: Callable[..., dict[str, str]],
    tenant: str,
    cash: str,
) -> tuple[Investor, str]:
    """A KYC-verified issuer's approved, launched campaign and an accredited investor of the
    same tenant (no Reg CF 12-month limit) paying from the client's cash."""
    manager, compliance = acting("manager", "load-issuer"), acting("compliance", "load-officer")
    issuer_cash = (await created(api.post("/ledger/accounts", json={
        "name": f"load/issuer/{uuid.uuid4()}", "asset": "USD/2"})))["id"]  # fmt: skip
    issuer = (await created(api.post("/issuance/issuers", headers=manager, json={
        "name": "Load Robotics", "cash_account_id": issuer_cash})))["id"]  # fmt: skip
    incorporation = {"file": ("incorporation.pdf", PDF, "application/pdf")}
    await created(api.post(f"/issuance/issuers/{issuer}/documents", headers=manager,
                           data={"doc_type": "certificate_of_incorporation"},
                           files=incorporation))  # fmt: skip
    await created(api.post(f"/issuance/issuers/{issuer}/kyc", headers=compliance, json={
        "decision": "verified", "reason": "load bench"}))  # fmt: skip
    draft = await created(api.post("/issuance/campaigns", headers=manager, json={
        "issuer_id": issuer, "name": "Load round", "unit_price": "10.00",
        "min_target": "1000.00", "max_target": "5000000.00", "duration_days": 30,
        "allowed_jurisdictions": ["US"]}))  # fmt: skip
    path = f"/issuance/campaigns/{draft['id']}"
    owning = acting("manager", "load-issuer", issuer_id=issuer)
    await created(api.post(f"{path}/submit", headers=owning))
    await created(api.post(f"{path}/review", headers=compliance, json={
        "decision": "approve", "reason": "load bench"}))  # fmt: skip
    await created(api.post(f"{path}/launch", headers=owning))
    investor = Investor(target.signing_seed, tenant)
    profile = await created(api.post("/issuance/investors", headers=investor.headers(), json={
        "cash_account_id": cash, "jurisdiction": "US", "annual_income": "500000",
        "net_worth": "5000000"}))  # fmt: skip
    await created(api.post(f"/issuance/investors/{profile['id']}/review", headers=compliance,
                           json={"kyc_status": "verified", "accredited": True,
                                 "reason": "load bench"}))  # fmt: skip
    return investor, path


async def sign_lease(api: httpx.AsyncClient) -> str:
    """A building, a unit, a renter and an active lease whose rent the mix pays."""
    building = await created(
        api.post(
            "/realestate/buildings",
            json={
                "name": "Load Court",
                "purchase_price": "900000.00",
                "purchase_date": "2024-01-02",
            },
        )
    )
    unit = await created(api.post(f"/realestate/buildings/{building['id']}/units",
                                  json={"label": "1A", "market_rent": "1500.00"}))  # fmt: skip
    renter = await created(api.post("/realestate/tenants", json={"name": "Load Renter"}))
    lease = await created(api.post("/realestate/leases", json={
        "unit_id": unit["id"], "tenant_id": renter["id"], "start_on": "2025-01-01",
        "rent": [{"effective_on": "2025-01-01", "amount": "1500.00"}]}))  # fmt: skip
    await created(api.post(f"/realestate/leases/{lease['id']}/activate"))
    return lease["id"]


async def seed_clients(target: Target, how_many: int, limits: httpx.Limits) -> list[Client]:
    return list(await asyncio.gather(*(seed_client(target, n, limits) for n in range(how_many))))


async def keep_signed_in(clients: list[Client], every_seconds: float = 120) -> None:
    """Refresh each client's access token (five minutes) well before it lapses, as an app
    does, for as long as the run lasts (cancel the task to stop)."""
    while True:
        await asyncio.sleep(every_seconds)
        for client in clients:
            grant = await created(client.api.post(
                "/auth/refresh", json={"refresh_token": client.refresh_token}))  # fmt: skip
            client.api.headers["Authorization"] = f"Bearer {grant['access_token']}"
            client.refresh_token = grant["refresh_token"]
