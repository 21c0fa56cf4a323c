"""Payments post to the organization's cash in the REAL ledger app; events go to the outbox."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text

from realestate_service.books.service import (
    CASH,
    DEPOSITS,
    RENT_RECEIVED,
    account_id,
    post_pending,
)
from realestate_service.tests.integration.conftest import ORG


async def ledger_balance(ledger, name: str) -> Decimal:
    response = await ledger.get(
        f"/v1/accounts/{account_id(ORG, name)}/balance", headers=ledger.owner_headers()
    )
    if response.status_code == 404:
        return Decimal(0)
    return Decimal(response.json()["posted"])


async def test_payment_credits_cash_and_nsf_takes_it_back_once(api, runs, ledger, re_app):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await runs.rent("2025-01-01")
    payment = await api.pay(lease["id"], "1000", "2025-01-03")
    assert await ledger_balance(ledger, CASH) == Decimal("1000")
    assert await ledger_balance(ledger, RENT_RECEIVED) == Decimal("1000")
    await api.ok(
        "POST",
        f"/v1/payments/{payment['id']}/reverse",
        json={"kind": "nsf", "reason": "returned"},
    )
    assert await ledger_balance(ledger, CASH) == Decimal("0")
    # a sweep finds nothing left to send, and sending again would not post twice
    assert await post_pending(re_app.state.engine, re_app.state.books) == 0
    async with re_app.state.engine.connect() as conn:
        await conn.execute(text("UPDATE ledger_postings SET done_at = NULL"))
        await conn.commit()
    assert await post_pending(re_app.state.engine, re_app.state.books) == 2
    assert await ledger_balance(ledger, CASH) == Decimal("0")


async def test_deposits_sit_apart_from_cash_until_applied_or_forfeited(api, runs, ledger):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await runs.rent("2025-01-01")
    path = f"/v1/leases/{lease['id']}/deposit"
    await api.ok("POST", f"{path}/receive", json={"amount": "1500", "on": "2025-01-01"})
    assert await ledger_balance(ledger, DEPOSITS) == Decimal("1500")
    assert await ledger_balance(ledger, CASH) == Decimal("0")
    await api.ok("POST", f"{path}/apply", json={"amount": "1000", "on": "2025-01-02"})
    await api.ok("POST", f"{path}/forfeit", json={"amount": "200", "on": "2025-01-03"})
    await api.ok("POST", f"{path}/refund", json={"amount": "300", "on": "2025-01-04"})
    assert await ledger_balance(ledger, DEPOSITS) == Decimal("0")
    assert await ledger_balance(ledger, CASH) == Decimal("1200")  # applied 1000 + forfeited 200
    assert await ledger_balance(ledger, RENT_RECEIVED) == Decimal("1200")  # 1500 in, 300 back


async def test_ledger_down_keeps_the_posting_for_the_sweep(api, runs, re_app, ledger, monkeypatch):
    lease = await api.lease(rent="1000", start="2025-01-01")
    books = re_app.state.books

    async def refuse(*args, **kwargs):
        raise ConnectionError("ledger unreachable")

    monkeypatch.setattr(books.client, "create_transaction", refuse)
    await api.pay(lease["id"], "250", "2025-01-03")
    assert await ledger_balance(ledger, CASH) == Decimal("0")
    monkeypatch.undo()
    assert await post_pending(re_app.state.engine, books) == 1
    assert await ledger_balance(ledger, CASH) == Decimal("250")


async def test_events_are_written_to_the_outbox_with_their_payloads(api, runs, re_app):
    lease = await api.lease(rent="1000", start="2025-01-01", end="2025-12-31")
    await runs.rent("2025-01-01")
    payment = await api.pay(lease["id"], "1000", "2025-01-02")
    await api.ok(
        "POST", f"/v1/payments/{payment['id']}/reverse", json={"kind": "void", "reason": "typo"}
    )
    await api.ok("POST", f"/v1/leases/{lease['id']}/end", json={})
    async with re_app.state.engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT type, envelope FROM outbox ORDER BY created_at, type"))
        ).all()
    by_type = {t: e for t, e in rows}
    assert set(by_type) == {
        "realestate.lease.activated",
        "realestate.charge.posted",
        "realestate.payment.recorded",
        "realestate.payment.reversed",
        "realestate.lease.ended",
    }
    charge = by_type["realestate.charge.posted"]
    assert charge["tenant_id"] == ORG
    assert charge["payload"]["amount"] == "1000.00"
    assert charge["payload"]["period"] == "2025-01"
    assert by_type["realestate.payment.recorded"]["payload"]["payment_id"] == payment["id"]
    assert by_type["realestate.payment.reversed"]["payload"]["kind"] == "void"
    assert by_type["realestate.lease.ended"]["payload"]["moved_out_on"] == "2025-12-31"
