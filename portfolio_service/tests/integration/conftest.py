"""The gateway wired to a REAL ledger app and a REAL equity app (in-process, their own
migrated databases); the services not built on this branch are absent (connection refused)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from fleetkit import circuit_breaker
from fleetkit.db import make_sessionmaker
from fleetkit.testing.plugin import close_app, truncate_all
from portfolio_service.main import create_app

PASSWORD = "correct horse battery staple"


class Absent(httpx.AsyncBaseTransport):
    """A service that is not running: every connection is refused."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


@pytest.fixture(autouse=True)
def fresh_breakers():
    """Each test starts with closed circuit breakers (they are process-wide)."""
    circuit_breaker._shared.clear()
    yield
    circuit_breaker._shared.clear()


@pytest.fixture
async def equity_app(test_resources, ledger_app, redis, bus):
    from equity_service.main import create_app as create_equity

    app = create_equity(
        test_resources.settings("equity_service"),
        ledger_transport=httpx.ASGITransport(app=ledger_app),
    )
    app.state.nudge_worker = False
    yield app
    await close_app(app)
    await truncate_all(test_resources.engine("equity_service"))


@pytest.fixture
def gateway_settings(settings):
    """The gateway's settings; tests that need other limits copy them with changes."""
    return settings


@pytest.fixture
async def gateway_app(gateway_settings, ledger_app, equity_app, committed, redis, bus):
    absent = Absent()
    app = create_app(
        gateway_settings,
        transports={
            "ledger": httpx.ASGITransport(app=ledger_app),
            "equity": httpx.ASGITransport(app=equity_app),
            "fixed_income": absent,
            "realestate": absent,
            "issuance": absent,
        },
    )
    yield app
    await close_app(app)


@pytest.fixture
async def gateway(gateway_app):
    transport = httpx.ASGITransport(app=gateway_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


@dataclass
class People:
    """Signs people up and in through the public API."""

    gateway: httpx.AsyncClient

    async def register(self, email: str, *, tenant_name: str | None = "Acme", **extra: Any):
        body = {"email": email, "password": PASSWORD, "display_name": email.split("@")[0]}
        if tenant_name is not None:
            body["tenant_name"] = tenant_name
        response = await self.gateway.post("/api/v1/auth/register", json={**body, **extra})
        assert response.status_code == 201, response.text
        return response.json()

    async def sign_in(self, email: str, password: str = PASSWORD, **form: str) -> httpx.Response:
        return await self.gateway.post(
            "/api/v1/auth/token", data={"username": email, "password": password, **form}
        )

    async def token(self, email: str, **form: str) -> dict[str, Any]:
        response = await self.sign_in(email, **form)
        assert response.status_code == 200, response.text
        grant: dict[str, Any] = response.json()
        return grant

    async def headers(self, email: str, **form: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {(await self.token(email, **form))['access_token']}"}

    async def member(self, owner_headers: dict[str, str], tenant_id: str, email: str, roles):
        """Invite `email` with `roles` into the tenant and register them with the token."""
        invited = await self.gateway.post(
            f"/api/v1/tenants/{tenant_id}/invitations",
            json={"email": email, "roles": list(roles)},
            headers=owner_headers,
        )
        assert invited.status_code == 201, invited.text
        await self.register(email, tenant_name=None, invitation_token=invited.json()["token"])
        return await self.headers(email)


@pytest.fixture
def people(gateway) -> People:
    return People(gateway)


@dataclass
class Market:
    """Equity reference data and quotes, written the way the equity operators and feed do."""

    app: Any

    async def list(self, symbol: str, currency: str = "USD") -> None:
        from equity_service.domain.isin import isin_check_digit
        from equity_service.instruments.schemas import InstrumentCreate
        from equity_service.instruments.service import register_instrument

        body = ("US" + symbol.ljust(9, "0"))[:11]
        listing = InstrumentCreate(
            symbol=symbol, name=f"{symbol} Corp", isin=body + str(isin_check_digit(body)),
            currency=currency,
        )  # fmt: skip
        async with make_sessionmaker(self.app.state.engine)() as session, session.begin():
            await register_instrument(session, listing)

    async def quote(self, symbol: str, bid: str, ask: str) -> None:
        from equity_service.domain.quote_fills import Quote
        from equity_service.instruments.repository import by_symbol
        from equity_service.market_data.service import record_quote
        from equity_service.orders.service import venue_terms

        quote = Quote(Decimal(bid), Decimal(ask), Decimal(1000), Decimal(1000))
        async with make_sessionmaker(self.app.state.engine)() as session, session.begin():
            instrument = await by_symbol(session, symbol)
            assert instrument is not None
            terms = venue_terms(self.app.state.settings)
            await record_quote(session, terms, instrument, quote, datetime.now(UTC))

    async def close(self, symbol: str, day: date, close: str) -> None:
        from equity_service.instruments.repository import by_symbol
        from equity_service.market_data.repository import save_bars

        async with make_sessionmaker(self.app.state.engine)() as session, session.begin():
            instrument = await by_symbol(session, symbol)
            assert instrument is not None
            price = Decimal(close)
            await save_bars(session, [{
                "instrument_id": instrument.id, "day": day, "open": price, "high": price,
                "low": price, "close": price, "volume": Decimal(100)}])  # fmt: skip

    async def settle(self) -> int:
        """What the equity worker does: post the pending fills to the ledger."""
        from equity_service.settlement.service import settle_pending

        return await settle_pending(self.app.state.engine, self.app.state.books)


@pytest.fixture
def market(equity_app) -> Market:
    return Market(equity_app)


@dataclass
class Books:
    """Ledger accounts of a tenant, opened and funded through the gateway as its owner."""

    gateway: httpx.AsyncClient

    async def account(self, headers: dict[str, str], name: str, asset: str) -> str:
        await self.gateway.post("/api/v1/ledger/assets", json={"asset": asset}, headers=headers)
        response = await self.gateway.post(
            "/api/v1/ledger/accounts",
            json={"name": name, "asset": asset, "debits_must_not_exceed_credits": True},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def deposit(self, headers: dict[str, str], account_id: str, amount: str) -> None:
        response = await self.gateway.post(
            "/api/v1/ledger/deposits",
            json={"id": str(uuid.uuid4()), "account_id": account_id, "amount": amount},
            headers=headers,
        )
        assert response.status_code == 201, response.text


@pytest.fixture
def books(gateway) -> Books:
    return Books(gateway)
