"""A year of demo history for the dev fleet: closes, a portfolio, its trades and its snapshots.

Run by `scripts/seed.py` (`make seed`, `make dev`) with every service in-process; everything it
writes goes through the services' own use cases and public API:

- equity: a daily close of AAPL, MSFT and BRK.A for every weekday since `EPOCH` (a seeded GBM
  path, so a day's close never changes from one run to the next), imported with the bars
  import, and today's quote at the last close;
- ledger (through the gateway, as demo-owner): a cash account and a share account per stock,
  funded and traded on dates of the past year (`effective_at`), and a dividend;
- gateway: the portfolio "Demo growth" over those accounts, the benchmark `demo-balanced`, and a
  valuation snapshot for every day from the first funding to yesterday.

The ledger reads balances and flows by the time a transaction was committed, and a seed can only
commit now; so the past days' snapshots are replayed from the dated plan below and the same
closes, with the gateway's own valuation rule (`position_value`), and stored as the nightly job
stores them. Today's holdings are the ledger's; the integration test checks that a snapshot the
gateway takes itself today agrees with the replay. Funding is tagged `demo_movement`, not
`movement`, so that the nightly job, which reads flows by commit time, does not count a year of
deposits as flows of the day the seed ran.

Every id is derived from names (uuid5), every write is idempotent: running it again changes
nothing. The plan starts on the day the seed first ran (kept in the cash account's metadata).
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.db import make_sessionmaker
from portfolio_service.domain.valuation import ASSET_CLASSES, position_value
from portfolio_service.portfolios import repository
from portfolio_service.portfolios.models import Portfolio
from portfolio_service.seed import DEMO_NAMESPACE
from portfolio_service.valuation.snapshots import keep_snapshot

EPOCH = date(2024, 1, 2)
HISTORY_DAYS = 365
START_PRICES = {"AAPL": Decimal("185.00"), "MSFT": Decimal("370.00"), "BRK.A": Decimal("540000")}
HELD = ("AAPL", "MSFT")
PORTFOLIO_NAME = "Demo growth"
BENCHMARK = {
    "components": [
        {"asset_class": "equity", "weight": "0.8", "index": "MSFT"},
        {"asset_class": "cash", "weight": "0.2", "annual_rate": "0.03"},
    ]
}
DIVIDEND_PER_SHARE = Decimal("0.75")


def demo_id(*parts: object) -> uuid.UUID:
    """A stable id for a named demo object."""
    return uuid.uuid5(DEMO_NAMESPACE, "/".join(str(p) for p in parts))


def weekdays(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


@dataclass(frozen=True)
class Closes:
    """The demo closes of one instrument: a seeded GBM path over the weekdays since EPOCH."""

    by_day: dict[date, Decimal]

    @classmethod
    def of(cls, symbol: str, tick: Decimal, today: date) -> Closes:
        from equity_service.domain.prices import gbm_path

        days = list(weekdays(EPOCH, today))
        seed = zlib.crc32(symbol.encode())
        path = gbm_path(START_PRICES[symbol], tick, seed=seed, steps=len(days), drift=0.08)
        return cls(dict(zip(days, path, strict=True)))

    def on(self, day: date) -> Decimal:
        """The last close on or before `day`."""
        while day not in self.by_day:
            day -= timedelta(days=1)
        return self.by_day[day]


@dataclass(frozen=True)
class Event:
    """One dated ledger movement of the plan: cash in (a deposit or a dividend) or a purchase."""

    day: date
    kind: str  # "deposit", "buy", "dividend"
    cash: Decimal  # into the cash account (negative for a purchase)
    symbol: str | None = None
    units: Decimal = Decimal(0)


def plan(inception: date, closes: dict[str, Closes]) -> list[Event]:
    """The year: 100,000 in on the first day, 2,000 more each month; half the first deposit
    into AAPL and MSFT at once, each monthly saving into one of them in turn at the day's
    close (whole shares); a quarterly MSFT dividend."""
    events = [Event(inception, "deposit", Decimal("100000.00"))]
    first_buy = next(weekdays(inception, inception + timedelta(days=7)))
    for symbol in HELD:
        units = (Decimal(25000) / closes[symbol].on(first_buy)).to_integral_value(
            rounding="ROUND_FLOOR"
        )
        events.append(_buy(first_buy, symbol, units, closes))
    held = {s: e.units for e in events for s in HELD if e.symbol == s}
    for month in range(1, 12):
        day = _add_months(inception, month)
        events.append(Event(day, "deposit", Decimal("2000.00")))
        symbol = HELD[month % 2]
        buy_day = next(weekdays(day, day + timedelta(days=7)))
        units = (Decimal(1800) / closes[symbol].on(buy_day)).to_integral_value(
            rounding="ROUND_FLOOR"
        )
        if units:
            events.append(_buy(buy_day, symbol, units, closes))
            held[symbol] += units
        if month % 3 == 0:
            pay = next(weekdays(day + timedelta(days=14), day + timedelta(days=21)))
            cash = position_value(held["MSFT"], DIVIDEND_PER_SHARE)
            events.append(Event(pay, "dividend", cash, "MSFT", held["MSFT"]))
    return sorted(events, key=lambda e: (e.day, e.kind != "deposit"))


def _buy(day: date, symbol: str, units: Decimal, closes: dict[str, Closes]) -> Event:
    return Event(day, "buy", -position_value(units, closes[symbol].on(day)), symbol, units)


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, min(day.day, 28))


@dataclass(frozen=True)
class Accounts:
    cash: str
    funding: str
    shares: dict[str, str]
    market_cash: str
    market_shares: dict[str, str]


class DemoHistory:
    """Writes the demo history through the gateway (`gateway`, a client of the gateway app)
    and the equity service's use cases (`equity_engine`)."""

    def __init__(
        self,
        gateway: httpx.AsyncClient,
        gateway_engine: AsyncEngine,
        equity_app: Any,
        owner_headers: dict[str, str],
        today: date,
    ) -> None:
        self.gateway = gateway
        self.gateway_engine = gateway_engine
        self.equity_app = equity_app
        self.headers = owner_headers
        self.today = today

    async def run(self) -> dict[str, Any]:
        closes = await self.market_history()
        accounts, inception = await self.accounts()
        events = [e for e in plan(inception, closes) if e.day < self.today]
        for index, event in enumerate(events):
            await self.post(accounts, index, event)
        portfolio_id = await self.portfolio(accounts)
        await self.call("PUT", "/api/v1/benchmarks/demo-balanced", BENCHMARK)
        snapshots = await self.replay(uuid.UUID(portfolio_id), inception, events, closes)
        return {"portfolio_id": portfolio_id, "inception": inception, "snapshots": snapshots}

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.gateway.request(method, path, json=body, headers=self.headers)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    async def market_history(self) -> dict[str, Closes]:
        """Import a close per weekday since EPOCH, and quote today at the last close."""
        from equity_service.domain.quote_fills import Quote
        from equity_service.instruments.repository import by_symbol
        from equity_service.market_data.csv_import import COLUMNS
        from equity_service.market_data.service import import_bars, record_quote
        from equity_service.orders.service import venue_terms

        closes: dict[str, Closes] = {}
        sessions = make_sessionmaker(self.equity_app.state.engine)
        async with sessions() as session, session.begin():
            rows = [",".join(COLUMNS)]
            for symbol in START_PRICES:
                instrument = await by_symbol(session, symbol)
                if instrument is None:
                    raise RuntimeError(f"{symbol} is not listed: run equity demo-instruments")
                closes[symbol] = Closes.of(symbol, instrument.tick_size, self.today)
                rows += [
                    f"{symbol},{d},{c},{c},{c},{c},1000" for d, c in closes[symbol].by_day.items()
                ]
            await import_bars(session, "\n".join(rows))
            terms = venue_terms(self.equity_app.state.settings)
            now = datetime.now(UTC)
            for symbol in START_PRICES:
                instrument = await by_symbol(session, symbol)
                assert instrument is not None
                last = closes[symbol].on(self.today)
                tick = instrument.tick_size
                quote = Quote(last - tick, last + tick, Decimal(1000), Decimal(1000))
                await record_quote(session, terms, instrument, quote, now)
        return closes

    async def account(self, name: str, asset: str, **extra: Any) -> dict[str, Any]:
        await self.gateway.post(
            "/api/v1/ledger/assets", json={"asset": asset}, headers=self.headers
        )
        body = {"id": str(demo_id("account", name)), "name": name, "asset": asset, **extra}
        return dict(await self.call("POST", "/api/v1/ledger/accounts", body))

    async def accounts(self) -> tuple[Accounts, date]:
        """The demo's ledger accounts; the cash account remembers the day the history starts."""
        start = self.today - timedelta(days=HISTORY_DAYS)
        cash = await self.account(
            "demo/owner/cash", "USD/2", debits_must_not_exceed_credits=True,
            metadata={"demo_inception": start.isoformat()},
        )  # fmt: skip
        inception = date.fromisoformat(cash["metadata"]["demo_inception"])
        shares, market = {}, {}
        for symbol in HELD:
            held = await self.account(f"demo/owner/{symbol}", f"{symbol}/9",
                                      debits_must_not_exceed_credits=True)  # fmt: skip
            shares[symbol] = str(held["id"])
            market[symbol] = str((await self.account(f"demo/market/{symbol}", f"{symbol}/9"))["id"])
        funding = await self.account("demo/outside/cash", "USD/2")
        market_cash = await self.account("demo/market/cash", "USD/2")
        found = Accounts(
            str(cash["id"]), str(funding["id"]), shares, str(market_cash["id"]), market
        )
        return found, inception

    async def post(self, accounts: Accounts, index: int, event: Event) -> None:
        """One dated transaction, idempotent by its id (the same id and body: the original)."""
        effective = datetime.combine(event.day, time(15), tzinfo=UTC).isoformat()
        if event.kind == "buy":
            assert event.symbol is not None
            amount = format(-event.cash, "f")
            lines = [
                {"account_id": accounts.cash, "side": "debit", "amount": amount},
                {"account_id": accounts.market_cash, "side": "credit", "amount": amount},
                {"account_id": accounts.market_shares[event.symbol], "side": "debit",
                 "amount": format(event.units, "f")},
                {"account_id": accounts.shares[event.symbol], "side": "credit",
                 "amount": format(event.units, "f")},
            ]  # fmt: skip
            metadata: dict[str, Any] = {"demo": "trade", "symbol": event.symbol}
        else:
            source = accounts.funding if event.kind == "deposit" else accounts.market_cash
            lines = [
                {"account_id": source, "side": "debit", "amount": format(event.cash, "f")},
                {"account_id": accounts.cash, "side": "credit", "amount": format(event.cash, "f")},
            ]
            metadata = {"demo_movement": "deposit"}
            if event.kind == "dividend":
                action = demo_id("dividend", event.symbol, event.day)
                metadata = {"action_id": str(action), "cash_per_share": str(DIVIDEND_PER_SHARE)}
        body = {"id": str(demo_id("transaction", event.day, index, event.kind)), "lines": lines,
                "effective_at": effective, "metadata": metadata}  # fmt: skip
        await self.call("POST", "/api/v1/ledger/transactions", body)

    async def portfolio(self, accounts: Accounts) -> str:
        """The owner's demo portfolio over the demo accounts (created once, found after)."""
        page = await self.call("GET", "/api/v1/portfolios?limit=100")
        for item in page["items"]:
            if item["name"] == PORTFOLIO_NAME:
                return str(item["id"])
        holdings = [{"kind": "cash", "ledger_account_id": accounts.cash}] + [
            {"kind": "equity", "ledger_account_id": accounts.shares[s], "reference": s}
            for s in HELD
        ]
        created = await self.call("POST", "/api/v1/portfolios",
                                  {"name": PORTFOLIO_NAME, "holdings": holdings})  # fmt: skip
        return str(created["id"])

    async def replay(
        self, portfolio_id: uuid.UUID, inception: date, events: list[Event],
        closes: dict[str, Closes],
    ) -> int:  # fmt: skip
        """A snapshot of every day from inception to yesterday, replayed from the plan."""
        sessions = make_sessionmaker(self.gateway_engine)
        async with sessions() as session, session.begin():
            portfolio = await session.get(Portfolio, portfolio_id)
            assert portfolio is not None
            holdings = await repository.holdings_of(session, [portfolio_id])
            cash = Decimal(0)
            units = dict.fromkeys(HELD, Decimal(0))
            pending = iter(events)
            upcoming = next(pending, None)
            day, taken = inception, 0
            while day < self.today:
                flow = Decimal(0)
                while upcoming is not None and upcoming.day == day:
                    cash += upcoming.cash
                    if upcoming.kind == "buy" and upcoming.symbol:
                        units[upcoming.symbol] += upcoming.units
                    if upcoming.kind == "deposit":
                        flow += upcoming.cash
                    upcoming = next(pending, None)
                lines = {}
                for holding in holdings:
                    if holding.kind == "cash":
                        quantity, price = cash, Decimal(1)
                    else:
                        quantity, price = (
                            units[holding.reference],
                            closes[holding.reference].on(day),
                        )
                    lines[str(holding.id)] = {
                        "kind": holding.kind, "asset_class": ASSET_CLASSES[holding.kind],
                        "reference": holding.reference, "quantity": str(quantity),
                        "price": str(price), "value": str(position_value(quantity, price)),
                    }  # fmt: skip
                value = sum((Decimal(line["value"]) for line in lines.values()), Decimal(0))
                await keep_snapshot(session, portfolio, day, value, flow, True, lines)
                taken += 1
                day += timedelta(days=1)
        return taken


async def seed_demo_history(
    gateway_app: Any, equity_app: Any, password: str, today: date | None = None
) -> dict[str, Any]:
    """Sign in as demo-owner through the gateway app and write the history (see the module)."""
    from fleetkit.policy import Role
    from portfolio_service.seed import demo_email

    transport = httpx.ASGITransport(app=gateway_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as gateway:
        form = {"username": demo_email(Role.OWNER), "password": password}
        signed_in = await gateway.post("/api/v1/auth/token", data=form)
        if signed_in.status_code != 200:
            raise RuntimeError(f"demo-owner could not sign in: {signed_in.text}")
        headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        history = DemoHistory(
            gateway, gateway_app.state.engine, equity_app, headers,
            today or datetime.now(UTC).date(),
        )  # fmt: skip
        return await history.run()
