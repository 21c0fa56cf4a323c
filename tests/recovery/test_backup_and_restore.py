"""`make backup` then `make restore` (dev mode: scripts.devstack) into empty databases brings
the ledger back with the same balances and an audit chain that verifies.

The ledger runs as a real process on its own database; the other five databases are backed up
and restored too, as the command does, but hold no rows here.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from fleetkit.testing.plugin import ADMIN_URL, DB_PREFIX, migrate, recreate_database
from fleetkit.testing.served import asyncpg_url, served_service
from scripts.devstack import SERVICES, backup_databases, restore_databases


def database_urls(worker_id: str) -> dict[str, str]:
    return {
        service.database_key: make_url(ADMIN_URL)
        .set(
            drivername="postgresql+asyncpg",
            database=f"{DB_PREFIX}_recovery_{service.short}_{worker_id}",
        )
        .render_as_string(hide_password=False)
        for service in SERVICES
    }


def sync_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(False)


def record_book(api: httpx.Client) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Open three accounts, deposit, move money and hold some; return ids and balances."""
    api.post("/v1/assets", json={"asset": "USD/2"}).raise_for_status()
    accounts = []
    for number in range(3):
        body = {"name": f"tenant:acme/user:{number}/cash", "asset": "USD/2",
                "debits_must_not_exceed_credits": True}  # fmt: skip
        accounts.append(api.post("/v1/accounts", json=body).json()["id"])
        deposit = {"id": str(uuid.uuid4()), "account_id": accounts[-1], "amount": "100.00"}
        api.post("/v1/deposits", json=deposit).raise_for_status()
    for mode, amount in (("posted", "12.34"), ("pending", "5.00")):
        transfer = {"id": str(uuid.uuid4()), "mode": mode, "lines": [
            {"account_id": accounts[0], "side": "debit", "amount": amount},
            {"account_id": accounts[1], "side": "credit", "amount": amount}]}  # fmt: skip
        api.post("/v1/transactions", json=transfer).raise_for_status()
    api.post("/v1/audit/link").raise_for_status()
    return accounts, balances(api, accounts)


def balances(api: httpx.Client, accounts: list[str]) -> dict[str, dict[str, str]]:
    return {a: api.get(f"/v1/accounts/{a}/balance").json() for a in accounts}


def test_backup_then_restore_into_empty_databases_keeps_balances_and_chain(
    worker_id, test_resources, tmp_path: Path
):
    env = database_urls(worker_id)
    for service in SERVICES:
        recreate_database(make_url(env[service.database_key]).database or "")
    ledger_url = env["LEDGER_DATABASE_URL"]
    migrate("ledger_service", sync_url(ledger_url))
    redis_url, _ = test_resources.redis_urls()
    serve = {"database_url": asyncpg_url(sync_url(ledger_url)), "redis_url": redis_url,
             "keys": test_resources.keys}  # fmt: skip

    with served_service("ledger_service", **serve) as ledger:
        headers = {"Authorization": f"Bearer {ledger.token(tenant_id='acme')}"}
        with httpx.Client(base_url=ledger.base_url, headers=headers, timeout=30) as api:
            accounts, before = record_book(api)
    backup_databases(env, tmp_path)

    for service in SERVICES:  # empty databases, as on a new machine
        recreate_database(make_url(env[service.database_key]).database or "")
    restore_databases(env, tmp_path)

    with served_service("ledger_service", **serve) as ledger:
        headers = {"Authorization": f"Bearer {ledger.token(tenant_id='acme')}"}
        with httpx.Client(base_url=ledger.base_url, headers=headers, timeout=30) as api:
            assert balances(api, accounts) == before
            verification = api.get("/v1/audit/verify").json()
    assert verification["verified"] is True, verification
    assert verification["transactions"] == 5
