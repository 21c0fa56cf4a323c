"""Gateway: valuing a 100-holding mixed portfolio through the gateway, against the same fan-out
made by the bench straight to the services, in the same run.

The ledger, the equity service and the gateway run as real uvicorn processes (one worker each)
on fresh databases. The portfolio holds 1 cash account, 79 listed shares (each with a quote),
10 bond positions, 5 certificate positions (ledger accounts) and 5 property shares. The bond,
issuance and real-estate services are not started: their prices fail fast (connection refused)
and those holdings come back stale, in both runs alike. Baseline: the bench itself asks the
ledger for the 95 balances and the equity service for the 79 quotes, all at once.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import httpx

from bench.equity import start
from fleetkit.internal_jwt import TokenMinter
from fleetkit.testing.keys import FleetKeys
from fleetkit.testing.plugin import migrate, recreate_database

RUNS = int(os.environ.get("BENCH_GATEWAY_RUNS", "60"))
GATEWAY_PORT = int(os.environ.get("BENCH_GATEWAY_PORT", "8797"))
LEDGER_PORT = int(os.environ.get("BENCH_GATEWAY_LEDGER_PORT", "8798"))
EQUITY_PORT = int(os.environ.get("BENCH_GATEWAY_EQUITY_PORT", "8799"))
REDIS_URL = os.environ.get("BENCH_GATEWAY_REDIS_URL", "redis://127.0.0.1:6379/13")
SHARES, BONDS, CERTIFICATES, PROPERTIES = 79, 10, 5, 5
PASSWORD = "bench password, long enough"
# The default 2 s cuts the 95 balance reads of a cold gateway on a busy 2-core machine (503).
DEADLINE = os.environ.get("BENCH_GATEWAY_DEADLINE", "10")


def symbol(n: int) -> str:
    return "S" + "".join(chr(ord("A") + int(d)) for d in f"{n:03d}")


async def list_instruments(equity_db: str) -> None:
    from equity_service.config import Settings
    from equity_service.domain.isin import isin_check_digit
    from equity_service.domain.quote_fills import Quote
    from equity_service.instruments.schemas import InstrumentCreate
    from equity_service.instruments.service import register_instrument
    from equity_service.market_data.service import record_quote
    from equity_service.orders.service import venue_terms
    from fleetkit.db import make_engine, make_sessionmaker

    engine = make_engine(equity_db, pool_size=1)
    async with make_sessionmaker(engine)() as session, session.begin():
        for n in range(SHARES):
            body = ("US" + symbol(n).ljust(9, "0"))[:11]
            listing = InstrumentCreate(symbol=symbol(n), name=symbol(n), currency="USD",
                                       isin=body + str(isin_check_digit(body)))  # fmt: skip
            instrument = await register_instrument(session, listing)
            quote = Quote(Decimal("99"), Decimal("101"), Decimal(100), Decimal(100))
            await record_quote(session, venue_terms(Settings()), instrument, quote,
                               datetime.now(UTC))  # fmt: skip
    await engine.dispose()


async def open_holdings(ledger: httpx.AsyncClient) -> list[dict[str, str]]:
    async def account(asset: str, amount: str) -> str:
        await ledger.post("/v1/assets", json={"asset": asset})
        body = {"name": f"bench/{asset}/{uuid.uuid4()}", "asset": asset}
        opened = (await ledger.post("/v1/accounts", json=body)).json()["id"]
        deposit = {"id": str(uuid.uuid4()), "account_id": opened, "amount": amount}
        (await ledger.post("/v1/deposits", json=deposit)).raise_for_status()
        return str(opened)

    holdings = [{"kind": "cash", "ledger_account_id": await account("USD/2", "100000.00")}]
    for n in range(SHARES):
        shares = await account(f"{symbol(n)}/9", "10")
        holdings.append({"kind": "equity", "ledger_account_id": shares})
    for n in range(BONDS):
        holdings.append({"kind": "bond", "reference": f"bond-{n}",
                         "ledger_account_id": await account(f"BOND{n}/2", "1000")})  # fmt: skip
    for n in range(CERTIFICATES):
        holdings.append({"kind": "certificate", "reference": f"campaign-{n}",
                         "ledger_account_id": await account(f"CERT{n}/0", "5")})  # fmt: skip
    holdings += [{"kind": "property", "reference": f"building-{n}", "share": "0.1"}
                 for n in range(PROPERTIES)]  # fmt: skip
    return holdings


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def run(keys: FleetKeys, equity_db: str) -> tuple[tuple[float, float], tuple[float, float]]:
    gateway = httpx.AsyncClient(base_url=f"http://127.0.0.1:{GATEWAY_PORT}/api/v1", timeout=60)
    await gateway.post("/auth/register", json={"email": "bench@example.com", "password": PASSWORD,
                       "display_name": "Bench", "tenant_name": "Bench"})  # fmt: skip
    grant = (await gateway.post("/auth/token", data={"username": "bench@example.com",
                                                      "password": PASSWORD})).json()  # fmt: skip
    gateway.headers["Authorization"] = f"Bearer {grant['access_token']}"
    tenant = grant["tenant_id"]
    minter = TokenMinter("portfolio", keys.seeds["portfolio"], ttl_seconds=300)

    def direct(audience: str, port: int) -> httpx.AsyncClient:
        token = minter.mint(audience, subject="bench", tenant_id=tenant, roles={"owner"})
        return httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60,
                                 headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    ledger, equity = direct("ledger", LEDGER_PORT), direct("equity", EQUITY_PORT)
    await list_instruments(equity_db)
    holdings = await open_holdings(ledger)
    created = await gateway.post("/portfolios", json={"name": "bench", "holdings": holdings})
    created.raise_for_status()
    pid = created.json()["id"]
    accounts = [h["ledger_account_id"] for h in holdings if "ledger_account_id" in h]
    as_of = datetime.now(UTC).replace(hour=23, minute=59).isoformat()

    async def get(client: httpx.AsyncClient, path: str, **params: str) -> httpx.Response:
        # Like the gateway's client: an idle pooled connection the server closed is retried.
        try:
            return await client.get(path, params=params)
        except httpx.TransportError:
            return await client.get(path, params=params)

    async def fan_out() -> None:
        calls = [get(ledger, f"/v1/accounts/{a}/balance", as_of=as_of) for a in accounts]
        calls += [get(equity, f"/v1/quotes/{symbol(n)}") for n in range(SHARES)]
        for answer in await asyncio.gather(*calls):
            answer.raise_for_status()

    async def through_gateway() -> None:
        answer = await gateway.get(f"/portfolios/{pid}/valuation")
        answer.raise_for_status()
        assert answer.json()["stale_services"] == ["fixed_income", "issuance", "realestate"]

    async def timed(work) -> list[float]:  # type: ignore[no-untyped-def]
        await work()  # warm-up
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            await work()
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    # Interleaved halves, so that a busy moment of the machine hurts both alike.
    direct_ms, gateway_ms = [], []
    for _ in range(2):
        direct_ms += await timed(fan_out)
        gateway_ms += await timed(through_gateway)
    for client in (gateway, ledger, equity):
        await client.aclose()
    return percentiles(direct_ms), percentiles(gateway_ms)


def main() -> int:
    keys = FleetKeys.generate()
    urls = {}
    for service in ("ledger", "equity", "portfolio"):
        urls[service] = recreate_database(f"bench_gateway_{service}")
        migrate(f"{service}_service", urls[service])
    database = {s: u.replace("+psycopg", "+asyncpg") for s, u in urls.items()}
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens, connections are refused
    common = {"FLEET_JWT_PUBLIC_KEYS": keys.public_keys_setting(), "FLEET_ENV": "test",
              "FLEET_LOG_LEVEL": "WARNING", "FLEET_LEDGER_URL": f"http://127.0.0.1:{LEDGER_PORT}",
              "FLEET_EQUITY_URL": f"http://127.0.0.1:{EQUITY_PORT}",
              "FLEET_FIXED_INCOME_URL": closed, "FLEET_REALESTATE_URL": closed,
              "FLEET_ISSUANCE_URL": closed}  # fmt: skip
    processes = [
        start("ledger", LEDGER_PORT, {**common, "LEDGER_DATABASE_URL": database["ledger"],
              "LEDGER_JWT_PRIVATE_KEY": keys.private_key("ledger"), "LEDGER_REDIS_URL": REDIS_URL}),
        start("equity", EQUITY_PORT, {**common, "EQUITY_DATABASE_URL": database["equity"],
              "EQUITY_JWT_PRIVATE_KEY": keys.private_key("equity"), "EQUITY_REDIS_URL": REDIS_URL,
              "EQUITY_SETTLE_NUDGE": "false"}),
        start("portfolio", GATEWAY_PORT, {**common, "PORTFOLIO_DATABASE_URL": database["portfolio"],
              "PORTFOLIO_JWT_PRIVATE_KEY": keys.private_key("portfolio"),
              "PORTFOLIO_REDIS_URL": REDIS_URL, "PORTFOLIO_RATE_LIMIT_PER_MINUTE": "100000",
              "PORTFOLIO_VALUATION_DEADLINE_SECONDS": DEADLINE}),
    ]  # fmt: skip
    try:
        (d50, d99), (g50, g99) = asyncio.run(run(keys, database["equity"]))
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    holdings = 1 + SHARES + BONDS + CERTIFICATES + PROPERTIES
    print(f"\ngateway ({os.cpu_count()} cores, one uvicorn worker per service, "
          f"{2 * RUNS} valuations of {holdings} holdings each way)")  # fmt: skip
    print(f"  direct fan-out (bench -> ledger, equity)  p50 {d50:8.2f} ms   p99 {d99:8.2f} ms")
    print(f"  through the gateway (valuation)           p50 {g50:8.2f} ms   p99 {g99:8.2f} ms"
          f"   overhead at p50 {100 * (g50 / d50 - 1):+.0f} %")  # fmt: skip
    return 0
