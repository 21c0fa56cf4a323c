"""Worked example 3 through the API and the daily runs (grace 5, 50 then 10 a day, cap 150,
nothing under 25 owed; rent 1,400 due 2025-04-01)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

POLICY = {
    "grace_days": 5,
    "initial_kind": "flat",
    "initial_amount": "50",
    "recurrence": "daily",
    "recurring_amount": "10",
    "cap_per_charge": "150",
    "minimum_outstanding": "25",
}


@pytest.fixture
async def lease(api):
    await api.ok("PUT", "/v1/late-fee-policies/organization", json=POLICY)
    return await api.lease(rent="1400", start="2025-04-01")


async def fees_open(api, lease_id: str) -> Decimal:
    charges = (await api.ledger(lease_id))["charges"]
    return sum((Decimal(c["open"]) for c in charges if c["kind"] == "late_fee"), Decimal(0))


async def test_paid_april_6_no_fee(api, runs, lease):
    await runs.days("2025-04-01", "2025-04-06")
    await api.pay(lease["id"], "1400", "2025-04-06")
    await runs.days("2025-04-07", "2025-04-30")
    assert await fees_open(api, lease["id"]) == 0
    assert (await api.balance(lease["id"]))["net"] == "0.00"


async def test_paid_april_12_leaves_100_of_fees(api, runs, lease):
    await runs.days("2025-04-01", "2025-04-12")
    await api.pay(lease["id"], "1400", "2025-04-12")
    await runs.days("2025-04-13", "2025-04-30")
    assert await fees_open(api, lease["id"]) == Decimal("100")
    assert (await api.balance(lease["id"]))["net"] == "100.00"


async def test_never_paid_fees_stop_at_the_cap_on_april_17_balance_1550(api, runs, lease):
    await runs.days("2025-04-01", "2025-04-30")
    ledger = await api.ledger(lease["id"])
    fees = [c for c in ledger["charges"] if c["kind"] == "late_fee"]
    assert max(c["due_on"] for c in fees) == "2025-04-17"
    assert sum(Decimal(c["amount"]) for c in fees) == Decimal("150")
    assert ledger["balance"]["net"] == "1550.00"
    assert await runs.fees("2025-04-30") == (0, 0)  # re-running changes nothing


async def test_1380_paid_by_april_6_no_fee(api, runs, lease):
    await runs.days("2025-04-01", "2025-04-03")
    await api.pay(lease["id"], "1380", "2025-04-03")
    await runs.days("2025-04-04", "2025-04-30")
    assert await fees_open(api, lease["id"]) == 0
    assert (await api.balance(lease["id"]))["net"] == "20.00"


async def test_payment_dated_in_grace_entered_later_reverses_the_fees(api, runs, lease):
    await runs.days("2025-04-01", "2025-04-12")
    assert await fees_open(api, lease["id"]) == Decimal("100")
    await api.pay(lease["id"], "1400", "2025-04-05", reference="check found in the mailbox")
    assert await fees_open(api, lease["id"]) == 0
    ledger = await api.ledger(lease["id"])
    assert [e["type"] for e in ledger["entries"]].count("fee_reversal") == 6
    assert ledger["balance"]["net"] == "0.00"
    await runs.days("2025-04-13", "2025-04-20")
    assert (await api.balance(lease["id"]))["net"] == "0.00"


async def test_bounced_payment_brings_back_the_fees_it_had_prevented(api, runs, lease):
    await runs.days("2025-04-01", "2025-04-04")
    payment = await api.pay(lease["id"], "1400", "2025-04-04")
    await runs.days("2025-04-05", "2025-04-10")
    assert await fees_open(api, lease["id"]) == 0
    await api.ok(
        "POST",
        f"/v1/payments/{payment['id']}/reverse",
        json={"kind": "nsf", "reason": "insufficient funds", "reversed_on": "2025-04-10"},
    )
    await runs.fees("2025-04-11")  # catches up 04-07..04-11: 50 + 4 x 10
    assert await fees_open(api, lease["id"]) == Decimal("90")


async def test_building_policy_wins_over_the_organization_and_lease_over_both(api, runs, lease):
    building = lease["building_id"]
    await api.ok(
        "PUT",
        f"/v1/late-fee-policies/buildings/{building}",
        json={"grace_days": 2, "initial_amount": "20"},
    )
    await runs.days("2025-04-01", "2025-04-04")
    assert await fees_open(api, lease["id"]) == Decimal("20")
    other = await api.lease(rent="1400", start="2025-04-01", building=building)
    await api.ok(
        "PUT",
        f"/v1/late-fee-policies/leases/{other['id']}",
        json={"grace_days": 0, "initial_amount": "5"},
    )
    await runs.days("2025-04-01", "2025-04-02")
    assert await fees_open(api, other["id"]) == Decimal("5")


async def test_a_fee_on_a_fee_is_refused(api):
    body = {**POLICY, "applies_to": ["rent", "late_fee"]}
    response = await api.call("PUT", "/v1/late-fee-policies/organization", json=body)
    assert response.status_code == 422


async def test_the_run_reverses_fees_a_payment_made_unnecessary_even_with_rent_paid(
    api, runs, lease, re_app
):
    """A payment dated in the grace period that committed while the run was posting fees:
    the rent is paid, only the fees are open; the next run still reverses them."""
    await runs.days("2025-04-01", "2025-04-08")
    async with re_app.state.engine.begin() as conn:  # the payment, as if entered mid-run
        payment = (
            await conn.execute(
                text(
                    "INSERT INTO payments (id, tenant_id, lease_id, amount, received_on, method)"
                    " VALUES (gen_random_uuid(), 'acme-homes', :lease, 1400, '2025-04-04', 'ach')"
                    " RETURNING id"
                ),
                {"lease": lease["id"]},
            )
        ).scalar_one()
        rent = (
            await conn.execute(
                text("SELECT id FROM charges WHERE lease_id = :lease AND kind = 'rent'"),
                {"lease": lease["id"]},
            )
        ).scalar_one()
        await conn.execute(
            text(
                "INSERT INTO allocations (tenant_id, lease_id, charge_id, payment_id, amount,"
                " effective_on, booked_on)"
                " VALUES ('acme-homes', :lease, :rent, :payment, 1400, '2025-04-04', '2025-04-08')"
            ),
            {"lease": lease["id"], "rent": rent, "payment": payment},
        )
    assert await fees_open(api, lease["id"]) == Decimal("60")
    assert await runs.fees("2025-04-09") == (0, 2)
    assert (await api.balance(lease["id"]))["net"] == "0.00"


async def test_credit_left_next_to_an_open_charge_is_applied_by_the_job(api, runs, re_app):
    from realestate_service.billing.tasks import daily_billing

    lease = await api.lease(rent="1000", start="2025-01-01")
    async with re_app.state.engine.begin() as conn:  # a charge the payment did not see
        await conn.execute(
            text(
                "INSERT INTO payments (id, tenant_id, lease_id, amount, received_on, method)"
                " VALUES (gen_random_uuid(), 'acme-homes', :lease, 300, '2025-01-02', 'ach')"
            ),
            {"lease": lease["id"]},
        )
    await runs.rent("2025-01-01")  # posts January; its own credit step sees the payment
    async with re_app.state.engine.begin() as conn:
        await conn.execute(text("DELETE FROM allocations"))  # as if it had not
    assert (await api.balance(lease["id"]))["credit"] == "300.00"
    done = await daily_billing(re_app.state.engine, date(2025, 1, 2))
    assert done["leases_credited"] == 1
    assert await api.balance(lease["id"]) == {
        "lease_id": lease["id"],
        "open_receivable": "700.00",
        "credit": "0.00",
        "net": "700.00",
    }
