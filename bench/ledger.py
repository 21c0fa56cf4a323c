"""Ledger throughput through the HTTP API, against a naive baseline measured in the same run.

The ledger runs as a real uvicorn process (2 workers) on a fresh database. Scenarios: single
transfer per request and batches, over uniform accounts and over 10 hot accounts. The baseline
is the textbook implementation — one SQL transaction per transfer: SELECT … FOR UPDATE both
accounts, check the balance, UPDATE both, INSERT the transfer, COMMIT — driven with the same
concurrency straight at Postgres (no HTTP at all, so the ratio flatters the baseline). After
every run the invariants are checked: per-asset sums are zero and every account's totals equal
its last entry.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import asyncpg
import httpx

from fleetkit.internal_jwt import TokenMinter
from fleetkit.settings import SERVICES
from fleetkit.testing.keys import FleetKeys
from fleetkit.testing.plugin import ADMIN_URL, migrate, recreate_database

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_LEDGER_PORT", "8793"))
TENANT = "bench"
UNIFORM_ACCOUNTS = 2_000
HOT_ACCOUNTS = 10
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = 32
BATCH_SIZE = 250


@dataclass
class Result:
    name: str
    transfers: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.transfers / self.seconds

    def line(self, baseline: Result | None = None) -> str:
        p50 = statistics.median(self.latencies) * 1e3
        p99 = (
            statistics.quantiles(self.latencies, n=100)[98] * 1e3
            if len(self.latencies) > 99
            else max(self.latencies) * 1e3
        )
        ratio = f"  x{self.rate / baseline.rate:5.2f} vs baseline" if baseline else ""
        return (
            f"  {self.name:<34} {self.rate:9.0f} transfers/s   p50 {p50:7.2f} ms   "
            f"p99 {p99:7.2f} ms{ratio}"
        )


def start_ledger(database_url: str, keys: FleetKeys) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": database_url,
        "LEDGER_JWT_PRIVATE_KEY": keys.private_key("ledger"),
        "LEDGER_DB_POOL_SIZE": "10",
        "FLEET_JWT_PUBLIC_KEYS": keys.public_keys_setting(),
        "FLEET_ENV": "test",
        "FLEET_LOG_LEVEL": "WARNING",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "ledger_service.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(PORT),
            "--workers",
            "2",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the ledger did not start")


async def setup_accounts(client: httpx.AsyncClient, count: int, prefix: str) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    sem = asyncio.Semaphore(16)

    async def open_and_fund(account_id: str, n: int) -> None:
        async with sem:
            body = {
                "id": account_id,
                "name": f"{prefix}/{n}/cash",
                "asset": "USD/2",
                "debits_must_not_exceed_credits": True,
            }
            (await client.post("/v1/accounts", json=body)).raise_for_status()
            deposit = {"id": str(uuid.uuid4()), "account_id": account_id, "amount": "1000000.00"}
            (await client.post("/v1/deposits", json=deposit)).raise_for_status()

    await asyncio.gather(*(open_and_fund(a, n) for n, a in enumerate(ids)))
    return ids


def transfer(accounts: list[str]) -> dict[str, object]:
    source, destination = random.sample(accounts, 2)
    amount = f"{random.randint(1, 500)}.{random.randint(0, 99):02d}"
    return {
        "id": str(uuid.uuid4()),
        "lines": [
            {"account_id": source, "side": "debit", "amount": amount},
            {"account_id": destination, "side": "credit", "amount": amount},
        ],
    }


async def drive(name: str, send: Callable[[], Awaitable[int]], concurrency: int) -> Result:
    """Run `send` from `concurrency` tasks for SECONDS; each call returns transfers done."""
    latencies: list[float] = []
    done = 0
    stop = time.perf_counter() + SECONDS

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            started = time.perf_counter()
            transfers = await send()  # not `done += await ...`: that loses updates
            done += transfers
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, done, time.perf_counter() - started, latencies)


async def api_single(client: httpx.AsyncClient, accounts: list[str]) -> int:
    response = await client.post("/v1/transactions", json=transfer(accounts))
    if response.status_code != 201:
        raise RuntimeError(f"{response.status_code}: {response.text}")
    return 1


async def api_batch(client: httpx.AsyncClient, accounts: list[str]) -> int:
    items = [transfer(accounts) for _ in range(BATCH_SIZE)]
    response = await client.post("/v1/transactions/batch", json={"transactions": items})
    response.raise_for_status()
    return int(response.json()["created"])


NAIVE_SCHEMA = """
CREATE TABLE naive_accounts (id uuid PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0),
                             version bigint NOT NULL DEFAULT 0);
CREATE TABLE naive_transfers (id uuid PRIMARY KEY, source uuid, destination uuid, amount bigint);
"""


async def naive_transfer(pool: asyncpg.Pool, accounts: list[str]) -> int:
    """The baseline: one SQL transaction per transfer, row locks in id order."""
    item = transfer(accounts)
    lines = item["lines"]
    source, destination = uuid.UUID(lines[0]["account_id"]), uuid.UUID(lines[1]["account_id"])  # type: ignore[index]
    amount = int(str(lines[0]["amount"]).replace(".", ""))  # type: ignore[index]
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT id, balance FROM naive_accounts WHERE id = ANY($1::uuid[]) "
            "ORDER BY id FOR UPDATE",
            sorted([source, destination]),
        )
        if {r["id"]: r["balance"] for r in rows}[source] < amount:
            return 0
        await conn.execute(
            "UPDATE naive_accounts SET balance = balance - $2, version = version + 1 WHERE id = $1",
            source,
            amount,
        )
        await conn.execute(
            "UPDATE naive_accounts SET balance = balance + $2, version = version + 1 WHERE id = $1",
            destination,
            amount,
        )
        await conn.execute(
            "INSERT INTO naive_transfers VALUES ($1, $2, $3, $4)",
            uuid.UUID(str(item["id"])),
            source,
            destination,
            amount,
        )
    return 1


async def check_invariants(conn: asyncpg.Connection) -> str:
    unbalanced = await conn.fetchval(
        "SELECT count(*) FROM (SELECT asset_code FROM accounts GROUP BY asset_code "
        "HAVING sum(debits_posted) <> sum(credits_posted) "
        "OR sum(debits_pending) <> sum(credits_pending)) x"
    )
    drifted = await conn.fetchval(
        "SELECT count(*) FROM accounts a JOIN LATERAL (SELECT * FROM entries e "
        "WHERE e.account_id = a.id ORDER BY version DESC LIMIT 1) e ON true "
        "WHERE (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending, "
        "a.version) <> (e.debits_posted, e.credits_posted, e.debits_pending, "
        "e.credits_pending, e.version)"
    )
    if unbalanced or drifted:
        raise AssertionError(
            f"invariants broken: {unbalanced} assets unbalanced, "
            f"{drifted} accounts differ from their last entry"
        )
    return "invariants hold (per-asset sums zero, accounts equal their last entry)"


async def run(database_url: str, sync_url: str, keys: FleetKeys) -> int:
    token = TokenMinter("portfolio", keys.seeds["portfolio"], ttl_seconds=300).mint(
        "ledger", subject="bench", tenant_id=TENANT, roles={"owner"}
    )
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    dsn = sync_url.replace("postgresql+psycopg", "postgresql")
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{PORT}", headers=headers, limits=limits, timeout=60
    ) as client:
        (await client.post("/v1/assets", json={"asset": "USD/2"})).raise_for_status()
        uniform = await setup_accounts(client, UNIFORM_ACCOUNTS, f"tenant:{TENANT}/u")
        hot = uniform[:HOT_ACCOUNTS]
        pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)
        await pool.execute(NAIVE_SCHEMA)
        await pool.execute(
            "INSERT INTO naive_accounts SELECT unnest($1::uuid[]), 100000000", uniform
        )
        results = []
        for label, accounts in (("uniform", uniform), ("10 hot accounts", hot)):
            baseline = await drive(
                f"baseline, {label}", partial(naive_transfer, pool, accounts), CONCURRENCY
            )
            single = await drive(
                f"API single, {label}", partial(api_single, client, accounts), CONCURRENCY
            )
            batch = await drive(
                f"API batch of {BATCH_SIZE}, {label}", partial(api_batch, client, accounts), 4
            )
            results.append((baseline, single, batch))
            async with pool.acquire() as conn:
                print(f"  after {label}: {await check_invariants(conn)}")
        await pool.close()
    print("\nledger: transfers through the HTTP API (2 uvicorn workers, 2 cores, same machine)")
    for baseline, single, batch in results:
        print(baseline.line())
        print(single.line(baseline))
        print(batch.line(baseline))
    uniform_batch, hot_batch = results[0][2], results[1][2]
    print(f"  hot / uniform batch rate: {hot_batch.rate / uniform_batch.rate:.2f}")
    return 0


def main() -> int:
    keys = FleetKeys.generate()
    sync_url = recreate_database("bench_ledger")
    migrate("ledger_service", sync_url)
    database_url = sync_url.replace("postgresql+psycopg", "postgresql+asyncpg")
    server = start_ledger(database_url, keys)
    try:
        return asyncio.run(run(database_url, sync_url, keys))
    finally:
        server.terminate()
        server.wait(timeout=30)


__all__ = ["ADMIN_URL", "SERVICES", "main"]
