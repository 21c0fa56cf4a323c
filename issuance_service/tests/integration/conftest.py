"""The issuance app wired to a REAL ledger app (in-process, its own migrated database), and
the people who use it: the platform's owner, compliance, the issuer's manager, investors."""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from web3 import Web3

from fleetkit.testing.ledger_accounts import funded_cash_account
from issuance_service.chain.contract import ChainNode, deploy

TENANT = "portal"
PDF = b"%PDF-1.7\n% a tiny but real-looking pdf\n"


@pytest.fixture
def ledger_tenant() -> str:
    return TENANT


@pytest.fixture
async def issuance_app(app_on_ledger):
    return app_on_ledger


@dataclass
class Clock:
    """The app's clock, moved by the tests (deadlines are weeks away)."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def travel(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(issuance_app) -> Clock:
    clock = Clock()
    issuance_app.state.clock = clock
    return clock


@pytest.fixture
async def issuance(issuance_app, auth_headers):
    """`issuance.as_(role, subject=..., **attributes)` returns headers for that caller."""
    transport = httpx.ASGITransport(app=issuance_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://issuance") as client:

        def as_(role: str, subject: str = "", tenant: str = TENANT, **attributes: str) -> Any:
            return auth_headers(
                subject=subject or f"{role}-1",
                tenant_id=tenant,
                roles=frozenset({role}),
                attributes=attributes or None,
            )

        client.as_ = as_  # type: ignore[attr-defined]
        yield client


@dataclass
class Books:
    """The ledger side of a user: a cash account with money in it, and balance checks."""

    ledger: Any

    async def user(self, name: str, cash: str = "0", tenant: str = TENANT) -> uuid.UUID:
        headers = self.ledger.owner_headers(tenant)
        return await funded_cash_account(self.ledger, headers, tenant, name, cash)

    async def balance(self, account_id: uuid.UUID, tenant: str = TENANT) -> dict[str, Decimal]:
        response = await self.ledger.get(
            f"/v1/accounts/{account_id}/balance", headers=self.ledger.owner_headers(tenant)
        )
        if response.status_code == 404:
            return {"posted": Decimal(0), "pending": Decimal(0), "available": Decimal(0)}
        body = response.json()
        return {k: Decimal(body[k]) for k in ("posted", "pending", "available")}

    async def named(self, name_like: str, engine: Any) -> dict[str, Decimal]:
        """Posted balance (credits - debits) of every account whose name matches."""
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    text(
                        "SELECT name, credits_posted - debits_posted, scale FROM accounts "
                        "JOIN assets ON assets.code = split_part(accounts.asset_code, '/', 1) "
                        "WHERE name LIKE :name"
                    ),
                    {"name": name_like},
                )
            ).all()
        return {name: Decimal(net).scaleb(-scale) for name, net, scale in rows}


@pytest.fixture
def books(ledger) -> Books:
    return Books(ledger)


async def ledger_invariants(test_resources) -> dict[str, Any]:
    """Per-asset sums of the ledger (must be zero), what is pending, what escrow still holds."""
    async with test_resources.engine("ledger_service").connect() as connection:
        sums = (
            await connection.execute(
                text(
                    "SELECT asset_code, sum(credits_posted - debits_posted) FROM accounts "
                    "GROUP BY asset_code"
                )
            )
        ).all()
        pending = await connection.scalar(
            text("SELECT coalesce(sum(debits_pending + credits_pending), 0) FROM accounts")
        )
        escrow = await connection.scalar(
            text(
                "SELECT coalesce(sum(abs(credits_posted - debits_posted)), 0) FROM accounts "
                "WHERE name LIKE 'issuance/campaigns/%/escrow'"
            )
        )
    return {
        "unbalanced": {a: n for a, n in sums if n != 0},
        "pending": pending,
        "in_escrow": escrow,
    }


@pytest.fixture
def books_clean(test_resources) -> Callable[[], Any]:
    """Check: every asset sums to zero, nothing is pending, every escrow is empty."""

    async def check() -> None:
        assert await ledger_invariants(test_resources) == {
            "unbalanced": {},
            "pending": 0,
            "in_escrow": 0,
        }

    return check


@dataclass
class Platform:
    """Drives the API the way the platform's people do."""

    api: Any
    books: Books
    issuer_cash: uuid.UUID | None = None

    async def verified_issuer(self, name: str = "Acme Robotics") -> Any:
        self.issuer_cash = await self.books.user(f"issuer-{uuid.uuid4().hex[:8]}")
        manager = self.api.as_("manager", "issuer-manager")
        response = await self.api.post(
            "/v1/issuers",
            json={"name": name, "cash_account_id": str(self.issuer_cash)},
            headers=manager,
        )
        assert response.status_code == 201, response.text
        issuer = response.json()
        response = await self.api.post(
            f"/v1/issuers/{issuer['id']}/documents",
            data={"doc_type": "certificate_of_incorporation"},
            files={"file": ("incorporation.pdf", PDF, "application/pdf")},
            headers=manager,
        )
        assert response.status_code == 201, response.text
        response = await self.api.post(
            f"/v1/issuers/{issuer['id']}/kyc",
            json={"decision": "verified", "reason": "documents match the state registry"},
            headers=self.api.as_("compliance", "officer-1"),
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def draft(self, issuer_id: str, **overrides: Any) -> Any:
        body = {
            "issuer_id": issuer_id,
            "name": "Seed round",
            "unit_price": "10.00",
            "min_target": "1000.00",
            "max_target": "5000.00",
            "platform_fee_bps": 500,
            "duration_days": 30,
            "allowed_jurisdictions": ["US", "CA"],
            **overrides,
        }
        response = await self.api.post(
            "/v1/campaigns", json=body, headers=self.api.as_("manager", "issuer-manager")
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def live(self, **overrides: Any) -> Any:
        issuer = await self.verified_issuer()
        campaign = await self.draft(issuer["id"], **overrides)
        manager = self.api.as_("manager", "issuer-manager", issuer_id=issuer["id"])
        path = f"/v1/campaigns/{campaign['id']}"
        assert (await self.api.post(f"{path}/submit", headers=manager)).status_code == 200
        response = await self.api.post(
            f"{path}/review",
            json={"decision": "approve", "reason": "Form C complete"},
            headers=self.api.as_("compliance", "officer-1"),
        )
        assert response.status_code == 200, response.text
        response = await self.api.post(f"{path}/launch", headers=manager)
        assert response.status_code == 200, response.text
        return response.json()

    async def investor(
        self,
        name: str,
        cash: str = "10000",
        *,
        income: str = "80000",
        net_worth: str = "50000",
        jurisdiction: str = "US",
        kyc: str = "verified",
        accredited: bool = False,
    ) -> dict[str, Any]:
        account = await self.books.user(name, cash)
        response = await self.api.post(
            "/v1/investors",
            json={
                "cash_account_id": str(account),
                "jurisdiction": jurisdiction,
                "annual_income": income,
                "net_worth": net_worth,
            },
            headers=self.api.as_("investor", name),
        )
        assert response.status_code == 201, response.text
        investor = response.json()
        response = await self.api.post(
            f"/v1/investors/{investor['id']}/review",
            json={"kyc_status": kyc, "accredited": accredited, "reason": "id and address checked"},
            headers=self.api.as_("compliance", "officer-1"),
        )
        assert response.status_code == 200, response.text
        return {**response.json(), "name": name}

    async def pledge(
        self, campaign_id: str, investor: str, amount: str, key: str | None = None
    ) -> Any:
        key = key or str(uuid.uuid4())
        headers = {**self.api.as_("investor", investor), "Idempotency-Key": key}
        return await self.api.post(
            f"/v1/campaigns/{campaign_id}/investments", json={"amount": amount}, headers=headers
        )


@pytest.fixture
def platform(issuance, books) -> Platform:
    return Platform(issuance, books)


# ---- the chain: a real anvil from the npm package, on a free port, one per test worker ----

ANVIL = Path(__file__).resolve().parents[2] / "chain" / "node_modules" / ".bin" / "anvil"
# anvil's first well-known development account (never a real key).
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    """A real anvil node (the binary shipped by `@foundry-rs/anvil`)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    process = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--silent", "--chain-id", "31337"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if Web3(Web3.HTTPProvider(url)).is_connected():
                break
        except Exception:
            pass
        time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("anvil did not start")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def chain(anvil_url, issuance_app) -> ChainNode:
    """A freshly deployed certificate contract, wired into the app like configuration does."""
    address = deploy(anvil_url, DEV_KEY)
    node = ChainNode(anvil_url, address, DEV_KEY)
    issuance_app.state.chain = node
    issuance_app.state.settings = issuance_app.state.settings.model_copy(
        update={"chain_contract_address": address}
    )
    return node


@pytest.fixture
def rpc(chain) -> Callable[..., Any]:
    """A raw JSON-RPC call (anvil's test methods: evm_mine, anvil_reorg, evm_increaseTime)."""

    def call(method: str, *params: Any) -> Any:
        answer = chain.web3.provider.make_request(method, list(params))
        assert "error" not in answer, answer
        return answer.get("result")

    return call


@pytest.fixture
def dev_key() -> str:
    """The signing key of the test chain (anvil's first public development account)."""
    return DEV_KEY
