"""Equity: orders placed through the API, and the matching engine, each against a baseline
measured in the same run.

The ledger and the equity service run as real uvicorn processes (one worker each) on fresh
databases (`bench_equity_ledger`, `bench_equity`); orders are limit buys that rest (each one a
ledger hold, so the cost of placement is the equity work around one ledger call). Baseline: the
same hold (with its Idempotency-Key, as the service sends it) placed straight on the ledger's
API by the bench: the floor of what a placement costs.
The matching engine submits random takers against a book of resting orders; its baseline is a
naive matcher that sorts the whole book on every submit.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count

import httpx

from bench.ledger import Result, drive
from equity_service.domain.matching import OrderBook, Resting, Side, Taker
from fleetkit.internal_jwt import TokenMinter
from fleetkit.testing.keys import FleetKeys
from fleetkit.testing.plugin import migrate, recreate_database

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
EQUITY_PORT = int(os.environ.get("BENCH_EQUITY_PORT", "8794"))
LEDGER_PORT = int(os.environ.get("BENCH_EQUITY_LEDGER_PORT", "8796"))
REDIS_URL = os.environ.get("BENCH_EQUITY_REDIS_URL", "redis://127.0.0.1:6379/12")
TENANT, USERS, BOOK = "bench", 20, 2_000
CONCURRENCY = int(os.environ.get("BENCH_EQUITY_CONCURRENCY", "16"))


def start(service: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`<service>_service` under uvicorn on `port`, once /health answers."""
    command = [sys.executable, "-m", "uvicorn", "--factory", f"{service}_service.main:create_app",
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    environment = {**os.environ, **env}
    # prometheus_client writes multiprocess files wherever this names, even when it is empty.
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = subprocess.Popen(command, env=environment)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{service} did not start")


def token(keys: FleetKeys, audience: str) -> dict[str, str]:
    minter = TokenMinter("portfolio", keys.seeds["portfolio"], ttl_seconds=300)
    value = minter.mint(audience, subject="bench", tenant_id=TENANT, roles={"owner"})
    return {"Authorization": f"Bearer {value}"}


async def seed(equity_db: str, ledger: httpx.AsyncClient) -> list[str]:
    """One instrument with a quote, and USERS funded cash accounts."""
    from equity_service.config import Settings
    from equity_service.domain.quote_fills import Quote
    from equity_service.instruments.schemas import InstrumentCreate
    from equity_service.instruments.service import register_instrument
    from equity_service.market_data.service import record_quote
    from equity_service.orders.service import venue_terms
    from fleetkit.db import make_engine, make_sessionmaker

    engine = make_engine(equity_db, pool_size=1)
    async with make_sessionmaker(engine)() as session, session.begin():
        listing = InstrumentCreate(symbol="ACME", name="Acme", isin="US0378331005",
                                   currency="USD")  # fmt: skip
        instrument = await register_instrument(session, listing)
        quote = Quote(Decimal("99.00"), Decimal("100.00"), Decimal(100), Decimal(100))
        await record_quote(session, venue_terms(Settings()), instrument, quote, datetime.now(UTC))
    await engine.dispose()
    (await ledger.post("/v1/assets", json={"asset": "USD/2"})).raise_for_status()
    accounts = []
    for n in range(USERS):
        body = {"name": f"{TENANT}/user:{n}/cash", "asset": "USD/2",
                "debits_must_not_exceed_credits": True}  # fmt: skip
        account = (await ledger.post("/v1/accounts", json=body)).json()["id"]
        deposit = {"id": str(uuid.uuid4()), "account_id": account, "amount": "100000000.00"}
        (await ledger.post("/v1/deposits", json=deposit)).raise_for_status()
        accounts.append(account)
    return accounts


async def place_orders(equity: httpx.AsyncClient, accounts: list[str]) -> Result:
    """Limit buys that rest, after one warm-up order per user (which opens the user's derived
    ledger accounts: seven ledger calls, paid once per user and instrument)."""
    numbers = count()
    for account in accounts:
        body = {"client_order_id": f"warm-{account}", "account_id": account, "symbol": "ACME",
                "side": "buy", "type": "limit", "qty": "1", "limit_price": "90.00"}  # fmt: skip
        (await equity.post("/v1/orders", json=body)).raise_for_status()

    async def place() -> int:
        n = next(numbers)
        body = {"client_order_id": f"o-{n}", "account_id": accounts[n % len(accounts)],
                "symbol": "ACME", "side": "buy", "type": "limit", "qty": "1",
                "limit_price": "90.00", "time_in_force": "gtc"}  # fmt: skip
        response = await equity.post("/v1/orders", json=body)
        if response.status_code != 201 or response.json()["status"] != "new":
            raise AssertionError(response.text)
        return 1

    return await drive("API place order (rests)", place, CONCURRENCY)


async def place_holds(ledger: httpx.AsyncClient, accounts: list[str]) -> Result:
    """The baseline: the ledger hold a placement makes, posted directly."""
    sink = (await ledger.post("/v1/accounts", json={"name": f"{TENANT}/bench/sink",
                                                    "asset": "USD/2"})).json()["id"]  # fmt: skip
    numbers = count()

    async def hold() -> int:
        n, hold_id = next(numbers), str(uuid.uuid4())
        body = {"id": hold_id, "mode": "pending", "lines": [
            {"account_id": accounts[n % len(accounts)], "side": "debit", "amount": "90.00"},
            {"account_id": sink, "side": "credit", "amount": "90.00"}]}  # fmt: skip
        # With the Idempotency-Key the service's ledger client sends: the same call.
        headers = {"Idempotency-Key": hold_id}
        (await ledger.post("/v1/transactions", json=body, headers=headers)).raise_for_status()
        return 1

    return await drive("baseline: ledger hold only", hold, CONCURRENCY)


def random_book(rng: random.Random) -> list[Resting]:
    return [Resting(uuid.uuid4(), "sell" if n % 2 else "buy",
                    Decimal(100 + (rng.randint(1, 200) if n % 2 else -rng.randint(0, 200))) / 100,
                    Decimal(rng.randint(1, 100)), n) for n in range(BOOK)]  # fmt: skip


def naive_submit(book: list[Resting], taker: Taker) -> int:
    """Sort the opposite side on every submit and sweep it: the textbook first attempt."""
    side = sorted((o for o in book if o.side != taker.side),
                  key=lambda o: (o.price if taker.side == "buy" else -o.price, o.seq))  # fmt: skip
    remaining, matched = taker.remaining, 0
    for order in side:
        if remaining <= 0 or (
            taker.limit is not None
            and (order.price > taker.limit if taker.side == "buy" else order.price < taker.limit)
        ):
            break
        remaining -= min(remaining, order.remaining)
        matched += 1
    return matched


def matching(name: str, submit_one: object, seconds: float) -> Result:
    rng = random.Random(7)
    submits, latencies = 0, []
    stop = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < stop:
        side = rng.choice(("buy", "sell"))
        taker = Taker(uuid.uuid4(), side, None, Decimal(rng.randint(1, 50)))  # type: ignore[arg-type]
        begun = time.perf_counter()
        submit_one(taker)  # type: ignore[operator]
        latencies.append(time.perf_counter() - begun)
        submits += 1
    latencies.sort()
    return Result(
        name,
        submits,
        time.perf_counter() - started,
        latencies[len(latencies) // 2] * 1e3,
        latencies[int(len(latencies) * 0.99)] * 1e3,
    )


def matching_engine() -> tuple[Result, Result, Result]:
    rng = random.Random(1)
    orders = random_book(rng)
    seconds = max(1.0, SECONDS / 2)
    standing = OrderBook.of(orders)
    seqs = count(BOOK)

    def rebuilt(taker: Taker) -> None:
        # A fresh book per submit, as the service loads one per order: building it is counted.
        OrderBook.of(orders).submit(taker)

    def kept(taker: Taker) -> None:
        # A standing book, refilled with what each taker consumed (a venue kept in memory).
        for match in standing.submit(taker):
            side: Side = "sell" if taker.side == "buy" else "buy"
            standing.rest(Resting(uuid.uuid4(), side, match.price, match.qty, next(seqs)))

    def naive(taker: Taker) -> None:
        naive_submit(orders, taker)

    return (
        matching("baseline: naive matcher", naive, seconds),
        matching(f"engine, book of {BOOK} rebuilt", rebuilt, seconds),
        matching(f"engine, standing book of {BOOK}", kept, seconds),
    )


async def run(keys: FleetKeys, equity_db: str) -> tuple[Result, Result]:
    async with (
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{LEDGER_PORT}", timeout=60,
                          headers=token(keys, "ledger")) as ledger,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{EQUITY_PORT}", timeout=60,
                          headers=token(keys, "equity")) as equity,
    ):  # fmt: skip
        accounts = await seed(equity_db, ledger)
        baseline = await place_holds(ledger, accounts)
        placed = await place_orders(equity, accounts)
    return baseline, placed


def main() -> int:
    keys = FleetKeys.generate()
    ledger_url = recreate_database("bench_equity_ledger")
    migrate("ledger_service", ledger_url)
    equity_url = recreate_database("bench_equity")
    migrate("equity_service", equity_url)
    common = {"FLEET_JWT_PUBLIC_KEYS": keys.public_keys_setting(), "FLEET_ENV": "test",
              "FLEET_LOG_LEVEL": "WARNING",
              "FLEET_LEDGER_URL": f"http://127.0.0.1:{LEDGER_PORT}"}  # fmt: skip
    ledger_env = {"LEDGER_DATABASE_URL": ledger_url.replace("+psycopg", "+asyncpg"),
                  "LEDGER_JWT_PRIVATE_KEY": keys.private_key("ledger"),
                  "LEDGER_REDIS_URL": REDIS_URL}  # fmt: skip
    ledger = start("ledger", LEDGER_PORT, {**common, **ledger_env})
    equity_db = equity_url.replace("+psycopg", "+asyncpg")
    equity = start("equity", EQUITY_PORT, {**common, "EQUITY_DATABASE_URL": equity_db,
        "EQUITY_JWT_PRIVATE_KEY": keys.private_key("equity"), "EQUITY_REDIS_URL": REDIS_URL,
        "EQUITY_SETTLE_NUDGE": "false"})  # fmt: skip
    try:
        baseline, placed = asyncio.run(run(keys, equity_db))
    finally:
        for process in (equity, ledger):
            process.terminate()
            process.wait(timeout=30)
    naive, rebuilt, kept = matching_engine()
    print(f"\nequity ({os.cpu_count()} cores, one uvicorn worker per service, {SECONDS}s per run)")
    print(baseline.line().replace("transfers/s", "holds/s    "))
    print(placed.line(baseline).replace("transfers/s", "orders/s   "))
    print(naive.line().replace("transfers/s", "submits/s  "))
    print(rebuilt.line(naive).replace("transfers/s", "submits/s  "))
    print(kept.line(naive).replace("transfers/s", "submits/s  "))
    return 0
