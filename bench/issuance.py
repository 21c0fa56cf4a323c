"""Certificates minted per second for a 1,000-investor campaign: the crash-safe writer
(intents signed under the nonce lock and stored, broadcast without waiting, receipts tracked
afterwards) against a naive one-at-a-time minter (nonce from the node, sign, send, wait for
the receipt, next), in the same run, on the same anvil (from the npm package, automining).

The database is a scratch one (`<TEST_DB_PREFIX>_issuance_bench`), migrated afresh; the
campaign's 1,000 confirmed investments and their mint intents are written directly (the
close that writes them is tested elsewhere), then the writer runs until every intent is
confirmed (1 confirmation: automine gives each transaction its block at once).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from web3 import Web3

from fleetkit.testing.plugin import DB_PREFIX, migrate, recreate_database
from issuance_service.chain.contract import ChainNode, deploy
from issuance_service.chain.writer import run_writer

INVESTORS = int(os.environ.get("BENCH_INVESTORS", "1000"))
ANVIL = Path(__file__).resolve().parents[1] / "issuance_service/chain/node_modules/.bin/anvil"
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def start_anvil() -> tuple[subprocess.Popen[bytes], str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    process = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if Web3(Web3.HTTPProvider(url)).is_connected():
            return process, url
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("anvil did not start")


async def seed(engine: AsyncEngine, count: int) -> None:
    """One issuer, one successful campaign, `count` investors each with a confirmed
    investment, and the intents the close writes (the custody holder's verification, then
    one mint per investment)."""
    campaign = uuid.uuid4()
    issuer = uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO issuers (id, tenant_id, name, owner_subject, cash_account_id, "
                "kyc_status) VALUES (:id, 'bench', 'Bench Corp', 'u', :cash, 'verified')"
            ),
            {"id": issuer, "cash": uuid.uuid4()},
        )
        await connection.execute(
            text(
                "INSERT INTO campaigns (id, tenant_id, issuer_id, owner_subject, name, company, "
                "currency, cash_asset, unit_price, min_target, max_target, platform_fee_bps, "
                "duration_days, requires_accreditation, allowed_jurisdictions, status, "
                "certificate_asset) VALUES (:id, 'bench', :issuer, 'u', 'Bench', 'Bench Corp', "
                "'USD', 'USD/2', 10, 10, 100000000, 500, 30, false, 'US', 'successful', :asset)"
            ),
            {"id": campaign, "issuer": issuer, "asset": f"CF-{campaign.hex[:10].upper()}/0"},
        )
        await connection.execute(
            text(
                "INSERT INTO chain_intents (id, tenant_id, business_key, kind, args, status) "
                "VALUES (:id, 'bench', 'verify:custody', 'verify_holder', "
                "'{\"holder\": \"custody\"}', 'new')"
            ),
            {"id": uuid.uuid4()},
        )
        for n in range(count):
            investor, investment = uuid.uuid4(), uuid.uuid4()
            await connection.execute(
                text(
                    "INSERT INTO investors (id, tenant_id, subject, cash_account_id, "
                    "jurisdiction, annual_income, net_worth, kyc_status) VALUES "
                    "(:id, 'bench', :subject, :cash, 'US', 100000, 100000, 'verified')"
                ),
                {"id": investor, "subject": f"investor-{n}", "cash": uuid.uuid4()},
            )
            await connection.execute(
                text(
                    "INSERT INTO investments (id, tenant_id, campaign_id, investor_id, amount, "
                    "units, status, hold_id) VALUES (:id, 'bench', :campaign, :investor, 1000, "
                    "100, 'confirmed', :hold)"
                ),
                {
                    "id": investment,
                    "campaign": campaign,
                    "investor": investor,
                    "hold": uuid.uuid4(),
                },
            )
            args = json.dumps(
                {
                    "holder": "custody",
                    "campaign_id": str(campaign),
                    "investment_id": str(investment),
                    "amount": "1000",
                    "company": "Bench Corp",
                }
            )
            await connection.execute(
                text(
                    "INSERT INTO chain_intents (id, tenant_id, business_key, kind, "
                    "investment_id, args, status) VALUES (:id, 'bench', :key, 'mint', "
                    ":investment, CAST(:args AS jsonb), 'new')"
                ),
                {
                    "id": uuid.uuid4(),
                    "key": f"mint:{investment}",
                    "investment": investment,
                    "args": args,
                },
            )


async def writer_run(url: str, count: int) -> float:
    """Seconds for the crash-safe writer to get `count` mints confirmed."""
    sync_url = recreate_database(f"{DB_PREFIX}_issuance_bench")
    migrate("issuance_service", sync_url)
    async_url = make_url(sync_url).set(drivername="postgresql+asyncpg")
    engine = create_async_engine(async_url, poolclass=NullPool)
    try:
        await seed(engine, count)
        node = ChainNode(url, deploy(url, DEV_KEY), DEV_KEY)
        started = time.perf_counter()
        confirmed = 0
        while confirmed < count + 1:
            confirmed += (await run_writer(engine, node, 1)).confirmed
        return time.perf_counter() - started
    finally:
        await engine.dispose()


def naive_run(url: str, count: int) -> float:
    """Seconds for `count` mints one at a time: nonce, sign, send, wait for the receipt."""
    node = ChainNode(url, deploy(url, DEV_KEY), DEV_KEY)
    web3, account, contract = node.web3, node.account, node.contract

    def one(function: object) -> None:
        tx = function.build_transaction(  # type: ignore[attr-defined]
            {"from": account.address, "nonce": web3.eth.get_transaction_count(account.address)}
        )
        signed = account.sign_transaction(tx)
        receipt = web3.eth.wait_for_transaction_receipt(
            web3.eth.send_raw_transaction(signed.raw_transaction)
        )
        assert receipt["status"] == 1

    one(contract.functions.setVerified(account.address, True))
    campaign = uuid.uuid4().bytes
    started = time.perf_counter()
    for _ in range(count):
        one(contract.functions.mint(account.address, campaign, uuid.uuid4().bytes, 100_000, "B"))
    return time.perf_counter() - started


def main() -> int:
    """Print mints/s of both; exit 0."""
    process, url = start_anvil()
    try:
        ours = asyncio.run(writer_run(url, INVESTORS))
        naive = naive_run(url, INVESTORS)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"issuance: {INVESTORS} certificates minted on anvil (automine)")
    print(f"  crash-safe writer  {ours:7.2f} s  {INVESTORS / ours:8.1f} mints/s (incl. receipts)")
    print(f"  naive one-at-once  {naive:7.2f} s  {INVESTORS / naive:8.1f} mints/s")
    print(f"  ratio x {naive / ours:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
