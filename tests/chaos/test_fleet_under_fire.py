"""The fleet under fire: a steady mixed workload through the gateway while every process is
killed in turn, Redis is restarted and two databases drop every session; afterwards nothing
accepted is lost or doubled, the ledger balances, and every event was delivered."""

from __future__ import annotations

import threading
import time
import uuid
from decimal import Decimal

import httpx
import pytest

from fixed_income_service.books.accounts import face_account
from fleetkit.testing.fleet import eventually, wait_until_ready
from tests.chaos.checks import (
    UNBALANCED_ASSETS,
    UNRESOLVED_OVERDUE_HOLDS,
    dead_letters,
    duplicates,
    query,
    stream_backlog,
    unpublished_outbox,
)
from tests.chaos.faults import fault_plan
from tests.chaos.workload import TENANT, FleetClient, Tally, open_book, run_workload

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(900)]
SEED = 20261208
WORKLOAD_THREADS = 2
SETTLE_SECONDS = 150


def test_nothing_accepted_is_lost_or_doubled_under_fire(supervised):
    fleet = supervised.fleet
    tally = Tally()
    client = FleetClient(fleet, tally)
    book = open_book(client)
    stop, errors = threading.Event(), []

    def work(seed: int) -> None:
        try:
            run_workload(FleetClient(fleet, tally), book, stop, seed=seed, first=seed * 100_000)
        except BaseException as exc:  # reported by the test, not lost in a thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(SEED + n,)) for n in range(WORKLOAD_THREADS)]
    for thread in threads:
        thread.start()
    started, injected = time.monotonic(), []
    try:
        for fault in fault_plan(supervised, SEED):
            began = time.monotonic()
            fault.inject()
            injected.append(f"{fault.name} (next fault after {time.monotonic() - began:.1f}s)")
            print(f"chaos: {injected[-1]}", flush=True)
        wait_until_ready(fleet, lambda: True)  # every app back before the workload stops
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=300)
    under_fire = time.monotonic() - started
    assert not errors, errors
    # An outage is a retryable 503 (or no answer); a 500 would be a bug the client cannot act on.
    assert "500" not in tally.failures_seen, fleet.logs()

    orders = {o["client_order_id"] for o in tally.accepted.get("equity_order", [])}
    trades = {t["client_trade_id"] for t in tally.accepted.get("bond_trade", [])}
    pledges = {p["id"] for p in tally.accepted.get("pledge", [])}
    deposits = [d["id"] for d in tally.accepted.get("deposit", [])]

    # Every accepted request is in its service's book once, and nothing else is.
    stored_orders = duplicates(fleet, "equity", "orders", "client_order_id", TENANT)
    assert stored_orders == dict.fromkeys(orders, 1)
    stored_trades = duplicates(fleet, "fixed_income", "bond_trades", "client_trade_id", TENANT)
    assert stored_trades == dict.fromkeys(trades, 1)
    stored_pledges = duplicates(fleet, "issuance", "investments", "id", TENANT)
    assert stored_pledges == dict.fromkeys(pledges, 1)
    [(found,)] = query(fleet, "ledger", "SELECT count(*) FROM transactions WHERE id = ANY(%s)",
                       [uuid.UUID(d) for d in deposits])  # fmt: skip
    assert found == len(deposits)

    # ... and reflected in the ledger exactly once: shares, bond face and pledge holds.
    def position() -> str:
        held = client.get("/equity/positions", account_id=book.cash)
        return held[0]["qty"] if held else "0"

    eventually(lambda: Decimal(position()) == len(orders), SETTLE_SECONDS)
    assert Decimal(position()) == len(orders), fleet.logs()
    if trades:
        face_asset = tally.accepted["bond_trade"][0]["face_asset"]
        face = face_account(TENANT, uuid.UUID(book.cash), face_asset).id

        def face_held() -> Decimal:
            return Decimal(client.get(f"/ledger/accounts/{face}/balance")["posted"])

        eventually(lambda: face_held() == 1000 * len(trades), SETTLE_SECONDS)
        assert face_held() == 1000 * len(trades)
    cash = client.get(f"/ledger/accounts/{book.cash}/balance")
    assert Decimal(cash["posted"]) - Decimal(cash["available"]) == 10 * len(pledges), cash

    # Every event delivered: outbox published, no stream entry unread or unacknowledged.
    assert eventually(lambda: not unpublished_outbox(fleet), SETTLE_SECONDS), unpublished_outbox(
        fleet
    )
    assert eventually(lambda: not stream_backlog(fleet), SETTLE_SECONDS), stream_backlog(fleet)
    assert not any(dead_letters(fleet).values()), dead_letters(fleet)

    # The ledger's invariants: every asset sums to zero, no overdue hold open, the chain verifies.
    assert query(fleet, "ledger", UNBALANCED_ASSETS) == []
    assert query(fleet, "ledger", UNRESOLVED_OVERDUE_HOLDS) == [(0,)]
    link = httpx.post(
        f"{fleet.gateway}/api/v1/ledger/audit/link", headers=client.headers(), timeout=30
    )
    assert link.status_code == 200, link.text
    verified = client.get("/ledger/audit/verify")
    assert verified["verified"] is True, verified

    report(tally, injected, under_fire, supervised)


def report(tally: Tally, injected: list[str], seconds: float, supervised) -> None:
    accepted = {kind: len(bodies) for kind, bodies in tally.accepted.items() if kind != "setup"}
    restarts = {name: p.starts - 1 for name, p in supervised.supervisor.programs.items()}
    lines = [
        f"chaos report: {len(injected)} faults in {seconds:.0f}s (seed {SEED})",
        *(f"  fault: {name}" for name in injected),
        f"  requests sent: {sum(v for k, v in tally.sent.items() if k != 'setup')}",
        f"  accepted: {sum(accepted.values())} {accepted}",
        f"  retried (answered after more than one try): {sum(tally.retried.values())}"
        f" {dict(tally.retried)}",
        f"  attempts: {tally.attempts}; failures seen by the client: {dict(tally.failures_seen)}",
        f"  refused: {len(tally.refused)} {tally.refused[:5]}",
        f"  restarts: {sum(restarts.values())} {restarts}",
    ]
    print("\n" + "\n".join(lines))
