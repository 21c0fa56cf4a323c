"""The equity app wired to a REAL ledger app (in-process, its own migrated database)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from equity_service.domain.isin import isin_check_digit
from equity_service.domain.quote_fills import Quote
from equity_service.instruments.schemas import InstrumentCreate
from equity_service.instruments.service import register_instrument
from equity_service.market_data.service import record_quote
from equity_service.orders.service import venue_terms
from equity_service.settlement.service import settle_pending
from fleetkit.db import make_sessionmaker
from fleetkit.testing.ledger_accounts import deposit, funded_cash_account

TENANT = "acme"


@pytest.fixture
async def equity_app(app_on_ledger):
    app_on_ledger.state.nudge_worker = False  # tests run the settlement use case themselves
    return app_on_ledger


@pytest.fixture
async def equity(equity_app, auth_headers):
    transport = httpx.ASGITransport(app=equity_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://equity") as client:
        client.headers.update(auth_headers(tenant_id=TENANT, roles=frozenset({"owner"})))
        yield client


@dataclass
class Market:
    """Reference data, quotes and settlement, driven the way operators and the worker do."""

    app: Any

    async def list(self, symbol: str = "ACME", **overrides: Any) -> Any:
        body = ("US" + symbol.replace(".", "").ljust(9, "0"))[:11]
        listing = {
            "symbol": symbol,
            "name": f"{symbol} Corp",
            "isin": body + str(isin_check_digit(body)),
            "currency": "USD",
            **overrides,
        }
        async with make_sessionmaker(self.app.state.engine)() as session, session.begin():
            return await register_instrument(session, InstrumentCreate(**listing))

    async def quote(self, symbol: str, bid: str, ask: str, size: str = "1000") -> None:
        from equity_service.instruments.repository import by_symbol

        quote = Quote(Decimal(bid), Decimal(ask), Decimal(size), Decimal(size))
        async with make_sessionmaker(self.app.state.engine)() as session, session.begin():
            instrument = await by_symbol(session, symbol)
            assert instrument is not None
            await record_quote(
                session, venue_terms(self.app.state.settings), instrument, quote, datetime.now(UTC)
            )

    async def settle(self) -> int:
        return await settle_pending(self.app.state.engine, self.app.state.books)


@pytest.fixture
async def market(equity_app) -> Market:
    return Market(equity_app)


@dataclass
class Books:
    """The ledger side of a user: a cash account with money in it, and balance checks."""

    ledger: Any

    async def user(self, name: str, cash: str = "0", tenant: str = TENANT) -> uuid.UUID:
        headers = self.ledger.owner_headers(tenant)
        return await funded_cash_account(self.ledger, headers, tenant, name, cash)

    async def deposit(self, account_id: uuid.UUID, amount: str, tenant: str = TENANT) -> None:
        await deposit(self.ledger, self.ledger.owner_headers(tenant), account_id, amount)

    async def balance(self, account_id: uuid.UUID, tenant: str = TENANT) -> dict[str, Decimal]:
        response = await self.ledger.get(
            f"/v1/accounts/{account_id}/balance", headers=self.ledger.owner_headers(tenant)
        )
        if response.status_code == 404:
            return {"posted": Decimal(0), "pending": Decimal(0), "available": Decimal(0)}
        body = response.json()
        return {k: Decimal(body[k]) for k in ("posted", "pending", "available")}


@pytest.fixture
def books(ledger) -> Books:
    return Books(ledger)


@pytest.fixture
def books_clean(test_resources):
    """Check: every asset sums to zero, nothing is pending, every reserve account is empty."""

    async def check() -> None:
        assert await ledger_invariants(test_resources) == {
            "unbalanced": {},
            "pending": 0,
            "reserved": 0,
        }

    return check


async def ledger_invariants(test_resources) -> dict[str, Any]:
    """Per-asset sums of the ledger (must be zero) and what is still reserved anywhere."""
    async with test_resources.engine("ledger_service").connect() as connection:
        sums = (
            await connection.execute(
                text(
                    "SELECT asset_code, sum(credits_posted - debits_posted) AS net FROM accounts "
                    "GROUP BY asset_code"
                )
            )
        ).all()
        pending = await connection.scalar(
            text("SELECT coalesce(sum(debits_pending + credits_pending), 0) FROM accounts")
        )
        reserves = await connection.scalar(
            text(
                "SELECT coalesce(sum(abs(credits_posted - debits_posted)), 0) FROM accounts "
                "WHERE name LIKE '%/reserved'"
            )
        )
    return {
        "unbalanced": {a: n for a, n in sums if n != 0},
        "pending": pending,
        "reserved": reserves,
    }
