"""The ledger's background jobs on real Postgres and Redis: hold expiry (through a real Celery
worker), chain linking and nightly verification, nightly reconciliation."""

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from sqlalchemy import text

from fleetkit.celery_app import make_celery
from fleetkit.metrics import metrics_registry
from ledger_service.audit.tasks import (
    link_queued_transactions,
    nightly_chain_verification,
    nightly_reconciliation,
)
from ledger_service.transactions.tasks import expire_overdue_holds
from ledger_service.worker import LEDGER_BEAT_SCHEDULE, TASK_MODULES

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
SWEEP = "ledger.expire_overdue_holds"


@pytest.fixture
def h(auth_headers):
    return auth_headers(tenant_id="acme", roles=frozenset({"owner"}))


async def open_funded_accounts(client, headers, tenant, amount="100.00"):
    await client.post("/v1/assets", json={"asset": "USD/2"}, headers=headers)
    ids = []
    for name in ("alice", "bob"):
        body = {
            "name": f"tenant:{tenant}/{name}",
            "asset": "USD/2",
            "debits_must_not_exceed_credits": True,
        }
        response = await client.post("/v1/accounts", json=body, headers=headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    deposit = {"id": str(uuid.uuid4()), "account_id": ids[0], "amount": amount}
    assert (await client.post("/v1/deposits", json=deposit, headers=headers)).status_code == 201
    return ids


async def send(client, headers, accounts, amount, **extra):
    """Post (or hold, with mode="pending") a transfer from the first account to the second."""
    body = {
        "id": str(uuid.uuid4()),
        "lines": [
            {"account_id": accounts[0], "side": "debit", "amount": amount},
            {"account_id": accounts[1], "side": "credit", "amount": amount},
        ],
        **extra,
    }
    response = await client.post("/v1/transactions", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return body["id"]


async def available(client, headers, account_id):
    response = await client.get(f"/v1/accounts/{account_id}/balance", headers=headers)
    return response.json()["available"]


async def outbox_rows(engine, event_type):
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT envelope FROM outbox WHERE type = :type"), {"type": event_type}
        )
        return [row[0] if isinstance(row[0], dict) else json.loads(row[0]) for row in rows]


def in_a_moment(seconds=1.0):
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def gauge(name):
    return metrics_registry().get_sample_value(name)


# --- hold expiry ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ledger_celery(service_package, test_resources) -> Celery:
    """One Celery app per test process (make_celery connects process-wide signal handlers)."""
    settings = test_resources.settings(service_package).model_copy(
        update={"worker_metrics_port": 0}
    )
    return make_celery(settings, include=TASK_MODULES)


@pytest.fixture
def worker(ledger_celery, client) -> Iterator[Celery]:
    """A worker thread on the test Redis broker, started after the test emptied that Redis."""
    with start_worker(ledger_celery, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield ledger_celery


async def test_a_real_worker_expires_an_overdue_hold(client, h, committed, worker):
    alice, bob = await open_funded_accounts(client, h, "acme")
    hold = await send(client, h, [alice, bob], "40.00", mode="pending", expires_at=in_a_moment())
    assert await available(client, h, alice) == "60.00"
    await asyncio.sleep(1.1)

    result = worker.tasks[SWEEP].delay()
    expired = await asyncio.to_thread(result.get, timeout=30)

    assert expired == 1
    assert await available(client, h, alice) == "100.00"
    listed = (await client.get("/v1/transactions", headers=h)).json()["items"]
    assert (listed[-1]["kind"], listed[-1]["target_id"]) == ("expire_hold", hold)
    [event] = await outbox_rows(committed, "ledger.hold.expired")
    assert (event["tenant_id"], event["payload"]["target_id"]) == ("acme", hold)
    late = await client.post(f"/v1/transactions/{hold}/post", headers=h)
    assert late.status_code == 409
    assert late.json()["type"] in {
        "urn:finfleet:problem:hold-already-resolved",
        "urn:finfleet:problem:hold-expired",
    }


async def test_the_sweep_expires_only_overdue_unresolved_holds_of_every_tenant(
    client, h, auth_headers, committed
):
    globex = auth_headers(tenant_id="globex", roles=frozenset({"owner"}))
    acme_accounts = await open_funded_accounts(client, h, "acme")
    globex_accounts = await open_funded_accounts(client, globex, "globex")
    # Long enough that the void lands before expiry on a busy machine, short enough to wait.
    expiry = datetime.now(UTC) + timedelta(seconds=1.5)
    soon = {"mode": "pending", "expires_at": expiry.isoformat()}
    overdue = [
        await send(client, h, acme_accounts, "1.00", **soon),
        await send(client, globex, globex_accounts, "2.00", **soon),
    ]
    voided = await send(client, h, acme_accounts, "3.00", **soon)
    assert (await client.post(f"/v1/transactions/{voided}/void", headers=h)).status_code == 201
    await send(client, h, acme_accounts, "4.00", mode="pending", expires_at=in_a_moment(3600))
    await send(client, h, acme_accounts, "5.00", mode="pending")  # never expires
    await asyncio.sleep((expiry - datetime.now(UTC)).total_seconds() + 0.1)

    first, second = await expire_overdue_holds(committed), await expire_overdue_holds(committed)

    assert (first, second) == (2, 0)
    events = await outbox_rows(committed, "ledger.hold.expired")
    assert sorted(e["payload"]["target_id"] for e in events) == sorted(overdue)
    assert await available(client, h, acme_accounts[0]) == "91.00"  # 100 - 4 - 5 still held
    assert await available(client, globex, globex_accounts[0]) == "100.00"


async def test_the_sweep_takes_a_bounded_batch(client, h, committed):
    accounts = await open_funded_accounts(client, h, "acme")
    for _ in range(3):
        await send(client, h, accounts, "1.00", mode="pending", expires_at=in_a_moment(0.2))
    await asyncio.sleep(0.3)

    assert await expire_overdue_holds(committed, limit=2) == 2
    assert await expire_overdue_holds(committed, limit=2) == 1


# --- audit chain jobs ----------------------------------------------------------------------


async def test_linking_catches_up_a_backlog_in_bounded_links(client, h, committed):
    accounts = await open_funded_accounts(client, h, "acme")
    for _ in range(4):
        await send(client, h, accounts, "1.00")

    linked = await link_queued_transactions(committed, batch=2)

    async with committed.connect() as connection:
        sizes = await connection.execute(
            text("SELECT cardinality(transaction_ids) FROM audit_links ORDER BY seq")
        )
        assert [row[0] for row in sizes] == [2, 2, 1]
    assert linked == 5
    assert (await nightly_chain_verification(committed)).verified is True
    assert gauge("ledger_audit_chain_broken") == 0


async def test_a_broken_chain_raises_the_gauge_and_logs_an_error(client, h, committed, caplog):
    await open_funded_accounts(client, h, "acme")
    await link_queued_transactions(committed)
    async with committed.begin() as connection:
        await connection.execute(text("ALTER TABLE transactions DISABLE TRIGGER USER"))
        await connection.execute(text("""UPDATE transactions SET metadata = '{"x": 1}'"""))
        await connection.execute(text("ALTER TABLE transactions ENABLE TRIGGER USER"))

    report = await nightly_chain_verification(committed)

    assert (report.verified, report.first_broken_link) == (False, 1)
    assert gauge("ledger_audit_chain_broken") == 1
    assert any("audit chain broken" in r.message for r in caplog.records if r.levelname == "ERROR")


# --- reconciliation ------------------------------------------------------------------------


@pytest.fixture
async def busy_books(client, h):
    """Postings, an open hold, a partly posted hold, a voided hold, a reversal, a withdrawal."""
    alice, bob = await open_funded_accounts(client, h, "acme")
    reversed_id = await send(client, h, [alice, bob], "10.00")
    assert (
        await client.post(f"/v1/transactions/{reversed_id}/reverse", headers=h)
    ).status_code == 201
    await send(client, h, [alice, bob], "7.50")
    await send(client, h, [alice, bob], "5.00", mode="pending")
    partly = await send(client, h, [alice, bob], "20.00", mode="pending")
    posted = await client.post(
        f"/v1/transactions/{partly}/post", json={"amount": "12.00"}, headers=h
    )
    assert posted.status_code == 201
    voided = await send(client, h, [alice, bob], "3.00", mode="pending")
    assert (await client.post(f"/v1/transactions/{voided}/void", headers=h)).status_code == 201
    withdrawal = {"id": str(uuid.uuid4()), "account_id": bob, "amount": "2.00"}
    assert (await client.post("/v1/withdrawals", json=withdrawal, headers=h)).status_code == 201
    return alice, bob


async def test_books_written_by_the_api_reconcile(committed, busy_books):
    assert await nightly_reconciliation(committed) == []
    assert gauge("ledger_reconciliation_differences") == 0


async def test_a_corrupted_account_total_is_found(committed, busy_books, caplog):
    _, bob = busy_books
    async with committed.begin() as connection:
        await connection.execute(
            text("UPDATE accounts SET credits_posted = credits_posted + 1 WHERE id = :id"),
            {"id": bob},
        )

    [difference] = await nightly_reconciliation(committed)

    assert str(difference.account_id) == bob
    assert difference.describe() == {
        "credits_posted": {"account": 2951, "lines": 2950, "latest_entry": 2950}
    }
    assert gauge("ledger_reconciliation_differences") == 1
    assert any("does not reconcile" in r.message for r in caplog.records)


async def test_a_corrupted_latest_entry_is_found(committed, busy_books):
    alice, _ = busy_books
    async with committed.begin() as connection:
        await connection.execute(text("ALTER TABLE entries DISABLE TRIGGER entries_append_only"))
        await connection.execute(
            text(
                "UPDATE entries SET debits_pending = debits_pending + 100 WHERE account_id = :id "
                "AND version = (SELECT version FROM accounts WHERE id = :id)"
            ),
            {"id": alice},
        )
        await connection.execute(text("ALTER TABLE entries ENABLE TRIGGER entries_append_only"))

    [difference] = await nightly_reconciliation(committed)

    assert str(difference.account_id) == alice
    assert list(difference.describe()) == ["debits_pending"]


# --- schedule ------------------------------------------------------------------------------


def test_the_beat_schedules_every_ledger_job_on_a_registered_idempotent_task(ledger_celery):
    every = {name: entry["schedule"] for name, entry in LEDGER_BEAT_SCHEDULE.items()}

    assert every["expire-overdue-holds"] == 10.0
    assert every["link-audit-chain"] == 5.0
    assert isinstance(every["verify-audit-chain"], crontab)
    assert isinstance(every["reconcile-accounts"], crontab)
    for entry in LEDGER_BEAT_SCHEDULE.values():
        task = ledger_celery.tasks[entry["task"]]
        assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
