"""Ledger throughput through the HTTP API, against a naive baseline measured in the same run.

The ledger runs as a real uvicorn process (2 workers) on a fresh database; wrk (C, so the load
generator does not eat the cores the server needs) posts random transfers: one per request to
`POST /v1/transactions`, and batches to `POST /v1/transactions/batch`, over 2,000 uniformly
chosen accounts and over 10 hot accounts. The baseline is the textbook implementation, one SQL
transaction per transfer (SELECT … FOR UPDATE both accounts, check, UPDATE both, INSERT the
transfer, COMMIT), driven with the same concurrency straight at Postgres from asyncpg: no HTTP,
no JSON, no auth, no entries, no events, no audit queue, so the ratio flatters the baseline.
After every scenario the ledger's invariants are checked: per-asset sums are zero and every
account's totals equal its last entry. Last, the same requests go to the HTTP floor
(`bench/ledger_floor.py`: the ledger's app stack with posting routes that only parse and
authorize), the most any posting through this stack could reach on this machine.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
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
from fleetkit.testing.keys import FleetKeys
from fleetkit.testing.plugin import migrate, recreate_database

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_LEDGER_PORT", "8793"))
FLOOR_PORT = PORT + 1
LEDGER_APP = "ledger_service.main:create_app"
FLOOR_APP = "bench.ledger_floor:create_app"
TENANT = "bench"
UNIFORM_ACCOUNTS = 2_000
HOT_ACCOUNTS = 10
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONCURRENCY = 32
BATCH_SIZE = int(os.environ.get("BENCH_BATCH", "100"))
BATCH_CONNECTIONS = 4


@dataclass
class Result:
    name: str
    transfers: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.transfers / self.seconds

    def line(self, baseline: Result | None = None) -> str:
        ratio = f"  x{self.rate / baseline.rate:5.2f} vs baseline" if baseline else ""
        return (
            f"  {self.name:<30} {self.rate:8.0f} transfers/s   p50 {self.p50_ms:7.2f} ms   "
            f"p99 {self.p99_ms:7.2f} ms{ratio}"
        )


def start_ledger(
    database_url: str, keys: FleetKeys, *, app: str = LEDGER_APP, port: int = PORT
) -> subprocess.Popen[bytes]:
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
    command = [sys.executable, "-m", "uvicorn", "--factory", app,
               "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the ledger did not start")


async def open_funded_accounts(client: httpx.AsyncClient, count: int) -> list[str]:
    """`count` limited cash accounts with 1,000,000.00 each (deposits through the API)."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    gate = asyncio.Semaphore(16)

    async def open_and_fund(number: int, account_id: str) -> None:
        async with gate:
            body = {"id": account_id, "name": f"tenant:{TENANT}/user:{number}/cash",
                    "asset": "USD/2", "debits_must_not_exceed_credits": True}  # fmt: skip
            (await client.post("/v1/accounts", json=body)).raise_for_status()
            deposit = {"id": str(uuid.uuid4()), "account_id": account_id, "amount": "1000000.00"}
            (await client.post("/v1/deposits", json=deposit)).raise_for_status()

    await asyncio.gather(*(open_and_fund(n, a) for n, a in enumerate(ids)))
    return ids


def wrk_run(
    name: str, accounts: list[str], token: str, *, batch: int, connections: int, port: int = PORT
) -> Result:
    """Drive the API with wrk and the script in bench/wrk/transfers.lua."""
    accounts_file = ROOT / ".dev" / "bench-accounts.txt"
    accounts_file.parent.mkdir(exist_ok=True)
    accounts_file.write_text("\n".join(accounts) + "\n")
    env = {**os.environ, "ACCOUNTS_FILE": str(accounts_file), "BATCH": str(batch), "TOKEN": token}
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{SECONDS}s", "--timeout", "10s",
         "-s", str(ROOT / "bench" / "wrk" / "transfers.lua"), f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    summary = next(line for line in output.splitlines() if line.startswith("CREATED"))
    words = summary.split()
    fields = dict(zip(words[::2], words[1::2], strict=True))
    if int(fields["FAILED"]):
        raise RuntimeError(f"{name}: {fields['FAILED']} requests failed\n{output}")
    return Result(name, int(fields["CREATED"]), float(fields["SECONDS"]),
                  float(fields["P50"]), float(fields["P99"]))  # fmt: skip


NAIVE_SCHEMA = """
CREATE TABLE naive_accounts (id uuid PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0),
                             version bigint NOT NULL DEFAULT 0);
CREATE TABLE naive_transfers (id uuid PRIMARY KEY, source uuid, destination uuid, amount bigint);
"""


async def naive_transfer(pool: asyncpg.Pool, accounts: list[str]) -> int:
    """The baseline: one SQL transaction per transfer, row locks in id order."""
    source, destination = (uuid.UUID(a) for a in random.sample(accounts, 2))
    amount = random.randint(100, 50_099)
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT id, balance FROM naive_accounts WHERE id = ANY($1::uuid[]) "
            "ORDER BY id FOR UPDATE",
            sorted([source, destination]),
        )
        if {r["id"]: r["balance"] for r in rows}[source] < amount:
            return 0
        for account, delta in ((source, -amount), (destination, amount)):
            await conn.execute(
                "UPDATE naive_accounts SET balance = balance + $2, version = version + 1 "
                "WHERE id = $1", account, delta,
            )  # fmt: skip
        await conn.execute("INSERT INTO naive_transfers VALUES ($1, $2, $3, $4)",
                           uuid.uuid4(), source, destination, amount)  # fmt: skip
    return 1


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
    p99 = statistics.quantiles(latencies, n=100)[98]
    return Result(name, done, time.perf_counter() - started,
                  statistics.median(latencies) * 1e3, p99 * 1e3)  # fmt: skip


async def check_invariants(conn: asyncpg.Connection) -> str:
    unbalanced = await conn.fetchval(
        "SELECT count(*) FROM (SELECT asset_code FROM accounts GROUP BY asset_code "
        "HAVING sum(debits_posted) <> sum(credits_posted) "
        "OR sum(debits_pending) <> sum(credits_pending)) x")  # fmt: skip
    drifted = await conn.fetchval(
        "SELECT count(*) FROM accounts a JOIN LATERAL (SELECT * FROM entries e "
        "WHERE e.account_id = a.id ORDER BY version DESC LIMIT 1) e ON true "
        "WHERE (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending, "
        "a.version) <> (e.debits_posted, e.credits_posted, e.debits_pending, "
        "e.credits_pending, e.version)")  # fmt: skip
    if unbalanced or drifted:
        raise AssertionError(f"invariants broken: {unbalanced} assets unbalanced, "
                             f"{drifted} accounts differ from their last entry")  # fmt: skip
    return "invariants hold (per-asset sums zero, every account equals its last entry)"


def bench_token(keys: FleetKeys) -> str:
    return TokenMinter("portfolio", keys.seeds["portfolio"], ttl_seconds=300).mint(
        "ledger", subject="bench", tenant_id=TENANT, roles={"owner"}
    )


async def run(
    sync_url: str, keys: FleetKeys
) -> tuple[list[tuple[Result, Result, Result]], list[str]]:
    token = bench_token(keys)
    headers = {"Authorization": f"Bearer {token}"}
    base_url = f"http://127.0.0.1:{PORT}"
    async with httpx.AsyncClient(base_url=base_url, timeout=60, headers=headers) as client:
        (await client.post("/v1/assets", json={"asset": "USD/2"})).raise_for_status()
        uniform = await open_funded_accounts(client, UNIFORM_ACCOUNTS)
    hot = uniform[:HOT_ACCOUNTS]
    pool = await asyncpg.create_pool(sync_url.replace("+psycopg", ""), min_size=4,
                                     max_size=CONCURRENCY)  # fmt: skip
    # Statistics, as autovacuum would have gathered them on a live ledger by now: without
    # them the planner reads the fresh accounts table as empty and picks worse lock plans.
    await pool.execute("ANALYZE")
    await pool.execute(NAIVE_SCHEMA)
    await pool.execute("INSERT INTO naive_accounts SELECT unnest($1::uuid[]), 100000000", uniform)
    rows = []
    for label, accounts in (("uniform", uniform), ("10 hot", hot)):
        baseline = await drive(f"baseline, {label}", partial(naive_transfer, pool, accounts),
                               CONCURRENCY)  # fmt: skip
        single = wrk_run(f"API single, {label}", accounts, token, batch=0,
                         connections=CONCURRENCY)  # fmt: skip
        batch = wrk_run(f"API batch of {BATCH_SIZE}, {label}", accounts, token,
                        batch=BATCH_SIZE, connections=BATCH_CONNECTIONS)  # fmt: skip
        async with pool.acquire() as conn:
            print(f"  after {label}: {await check_invariants(conn)}", flush=True)
        rows.append((baseline, single, batch))
    await pool.close()
    return rows, uniform


def floor_run(keys: FleetKeys, accounts: list[str]) -> tuple[Result, Result]:
    """The same requests against the ledger's stack with no database work (bench/ledger_floor)."""
    server = start_ledger("postgresql+asyncpg://unused@127.0.0.1:1/unused", keys,
                          app=FLOOR_APP, port=FLOOR_PORT)  # fmt: skip
    try:
        token = bench_token(keys)
        single = wrk_run("HTTP floor, single", accounts, token, batch=0,
                         connections=CONCURRENCY, port=FLOOR_PORT)  # fmt: skip
        batch = wrk_run(f"HTTP floor, batch of {BATCH_SIZE}", accounts, token, batch=BATCH_SIZE,
                        connections=BATCH_CONNECTIONS, port=FLOOR_PORT)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    return single, batch


def report(rows: list[tuple[Result, Result, Result]], floor: tuple[Result, Result]) -> None:
    print(
        f"\nledger: transfers through the HTTP API ({os.cpu_count()} cores, ledger with 2 "
        f"uvicorn workers, Postgres and wrk on the same machine, {SECONDS}s per run)"
    )
    for baseline, single, batch in rows:
        print(baseline.line())
        print(single.line(baseline))
        print(batch.line(baseline))
    (_, single_uniform, batch_uniform), (_, single_hot, batch_hot) = rows
    print(f"  hot / uniform: single {single_hot.rate / single_uniform.rate:.2f}, "
          f"batch {batch_hot.rate / batch_uniform.rate:.2f}")  # fmt: skip
    floor_single, floor_batch = floor
    print(floor_single.line())
    print(floor_batch.line())
    print(f"  uniform, of the HTTP floor: single {single_uniform.rate / floor_single.rate:.2f}, "
          f"batch {batch_uniform.rate / floor_batch.rate:.2f}")  # fmt: skip


def main() -> int:
    if shutil.which("wrk") is None:
        print("bench ledger needs wrk: apt-get install wrk")
        return 1
    keys = FleetKeys.generate()
    sync_url = recreate_database("bench_ledger")
    migrate("ledger_service", sync_url)
    server = start_ledger(sync_url.replace("+psycopg", "+asyncpg"), keys)
    try:
        rows, accounts = asyncio.run(run(sync_url, keys))
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(rows, floor_run(keys, accounts))
    return 0
