"""The rent ledger over the API: generation, allocation, credit, balance (worked examples)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text


def money(value: str) -> Decimal:
    return Decimal(value)


async def test_example_one_march_prorated_then_full_months_and_rerun_posts_nothing(api, runs):
    lease = await api.lease(rent="1800", start="2025-03-15")
    assert await runs.rent("2025-03-14") == 0
    assert await runs.rent("2025-03-15") == 1
    assert await runs.rent("2025-03-15") == 0
    assert await runs.rent("2025-05-01") == 2
    assert await runs.rent("2025-05-20") == 0
    ledger = await api.ledger(lease["id"])
    charges = [(c["period"], c["amount"], c["due_on"]) for c in ledger["charges"]]
    assert charges == [
        ("2025-03", "987.10", "2025-03-15"),
        ("2025-04", "1800.00", "2025-04-01"),
        ("2025-05", "1800.00", "2025-05-01"),
    ]
    assert (await api.balance(lease["id"]))["net"] == "4587.10"


async def test_move_out_june_10_bills_600_and_voids_later_rent(api, runs):
    lease = await api.lease(rent="1800", start="2025-03-15")
    await runs.rent("2025-07-01")  # March..July billed, then the renter leaves on June 10
    await api.ok(
        "POST",
        f"/v1/leases/{lease['id']}/terminate",
        json={"moved_out_on": "2025-06-10", "reason": "job relocation"},
    )
    ledger = await api.ledger(lease["id"])
    open_rent = {c["period"]: c["open"] for c in ledger["charges"] if c["open"] != "0.00"}
    assert open_rent == {
        "2025-03": "987.10",
        "2025-04": "1800.00",
        "2025-05": "1800.00",
        "2025-06": "600.00",
    }
    assert await runs.rent("2025-08-01") == 0
    assert (await api.balance(lease["id"]))["open_receivable"] == "5187.10"


async def test_due_day_31_falls_on_february_28(api, runs):
    lease = await api.lease(rent="1000", start="2025-01-01", due_day=31)
    await runs.rent("2025-02-01")
    dues = [c["due_on"] for c in (await api.ledger(lease["id"]))["charges"]]
    assert dues == ["2025-01-31", "2025-02-28"]


async def test_example_two_oldest_first_then_fees_last(api):
    for fees_last, expected in ((False, {"rent:01": "0.00", "late_fee:01": "0.00",
                                         "rent:02": "975.00"}),
                                (True, {"rent:01": "0.00", "late_fee:01": "75.00",
                                        "rent:02": "900.00"})):  # fmt: skip
        await api.ok("PUT", "/v1/settings", json={"fees_last": fees_last})
        lease = await api.lease(rent="1200", start="2025-01-01")
        await api.charge(lease["id"], "rent", "1200", "2025-01-01")
        await api.charge(lease["id"], "late_fee", "75", "2025-01-07")
        await api.charge(lease["id"], "rent", "1200", "2025-02-01")
        await api.pay(lease["id"], "1500", "2025-02-03")
        charges = (await api.ledger(lease["id"]))["charges"]
        assert {f"{c['kind']}:{c['due_on'][5:7]}": c["open"] for c in charges} == expected


async def test_overpayment_is_credit_applied_to_the_next_charge(api, runs):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await runs.rent("2025-01-01")
    payment = await api.pay(lease["id"], "1500", "2025-01-02")
    assert payment["unallocated"] == "500.00"
    assert await api.balance(lease["id"]) == {
        "lease_id": lease["id"],
        "open_receivable": "0.00",
        "credit": "500.00",
        "net": "-500.00",
    }
    await runs.rent("2025-02-01")
    assert await api.balance(lease["id"]) == {
        "lease_id": lease["id"],
        "open_receivable": "500.00",
        "credit": "0.00",
        "net": "500.00",
    }


async def test_nsf_reopens_what_the_payment_paid_with_a_fee(api, runs):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await runs.rent("2025-01-01")
    payment = await api.pay(lease["id"], "1000", "2025-01-02")
    assert (await api.balance(lease["id"]))["net"] == "0.00"
    reversed_ = await api.ok(
        "POST",
        f"/v1/payments/{payment['id']}/reverse",
        json={"kind": "nsf", "reason": "returned R01", "nsf_fee": "35"},
    )
    assert reversed_["reversed"] is True
    assert (await api.balance(lease["id"]))["open_receivable"] == "1035.00"
    again = await api.call(
        "POST", f"/v1/payments/{payment['id']}/reverse", json={"kind": "void", "reason": "x"}
    )
    assert again.status_code == 409
    assert again.json()["type"].endswith("payment-already-reversed")


async def test_void_waive_and_write_off_add_offsetting_rows(api, runs, re_app):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await runs.rent("2025-03-01")
    charges = (await api.ledger(lease["id"]))["charges"]
    jan, feb, mar = (c["id"] for c in charges)
    await api.pay(lease["id"], "400", "2025-01-05")  # pays January in part
    await api.ok("POST", f"/v1/charges/{jan}/void", json={"reason": "billed in error"})
    # the 400 that paid January is credit again, applied to February
    await api.ok("POST", f"/v1/charges/{mar}/waive", json={"reason": "courtesy", "amount": "100"})
    await api.ok(
        "POST", f"/v1/charges/{feb}/write-off", json={"reason": "uncollectable"}, role="accountant"
    )
    ledger = await api.ledger(lease["id"])
    assert {c["id"]: c["open"] for c in ledger["charges"]} == {
        jan: "0.00",
        feb: "0.00",
        mar: "900.00",
    }
    assert [e["type"] for e in ledger["entries"]].count("write_off") == 1
    assert ledger["entries"][-1]["balance"] == ledger["balance"]["net"] == "900.00"
    async with re_app.state.engine.connect() as conn:
        actions = (await conn.execute(text("SELECT action FROM audit_log ORDER BY seq"))).scalars()
        assert list(actions) == ["charge.void", "charge.waive", "charge.write_off"]


async def test_deposit_is_held_applied_and_refunded_never_more_than_held(api, runs):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await runs.rent("2025-01-01")
    path = f"/v1/leases/{lease['id']}/deposit"
    await api.ok("POST", f"{path}/receive", json={"amount": "1500", "on": "2025-01-01"})
    assert (await api.balance(lease["id"]))["net"] == "1000.00"  # a deposit is not rent paid
    await api.ok("POST", f"{path}/apply", json={"amount": "1000", "on": "2025-01-31"})
    too_much = await api.call("POST", f"{path}/refund", json={"amount": "600", "on": "2025-02-01"})
    assert too_much.status_code == 409
    deposit = await api.ok("POST", f"{path}/refund", json={"amount": "500", "on": "2025-02-01"})
    assert deposit["held"] == "0.00"
    assert deposit["applied"] == "1000.00"
    assert (await api.balance(lease["id"]))["net"] == "0.00"


async def test_money_posts_need_an_idempotency_key_and_replay_once(api, runs):
    lease = await api.lease(rent="1000", start="2025-01-01")
    path = f"/v1/leases/{lease['id']}/payments"
    body = {"amount": "100", "received_on": "2025-01-02"}
    headers = api.headers()
    del headers["Idempotency-Key"]
    missing = await api.client.post(path, json=body, headers=headers)
    assert missing.status_code == 428
    first = await api.call("POST", path, json=body, headers={"Idempotency-Key": "pay-1"})
    second = await api.call("POST", path, json=body, headers={"Idempotency-Key": "pay-1"})
    assert first.json()["id"] == second.json()["id"]
    assert (await api.balance(lease["id"]))["credit"] == "100.00"


async def test_bad_input_is_a_problem_never_a_500(api):
    lease = await api.lease(rent="1000", start="2025-01-01")
    for body in (
        {"amount": "-5", "received_on": "2025-01-02"},
        {"amount": "1.234", "received_on": "2025-01-02"},
        {"amount": "0", "received_on": "2025-01-02"},
        {"amount": "10", "received_on": "2999-01-02"},
        {"amount": 10.5, "received_on": "2025-01-02"},
    ):
        response = await api.call("POST", f"/v1/leases/{lease['id']}/payments", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
    stranger = await api.call("GET", f"/v1/leases/{lease['id']}/balance", org="someone-else")
    assert stranger.status_code == 404


async def test_manual_reallocation_moves_a_payment_and_is_audited(api, runs, re_app):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await runs.rent("2025-02-01")
    parking = await api.charge(lease["id"], "parking", "50", "2025-01-01")
    payment = await api.pay(lease["id"], "1000", "2025-01-03")  # pays January's rent
    january = (await api.ledger(lease["id"]))["charges"][0]
    assert january["open"] == "0.00"
    moved = await api.ok(
        "POST",
        f"/v1/payments/{payment['id']}/reallocate",
        json={"allocations": [{"charge_id": parking["id"], "amount": "50"}]},
    )
    assert moved["unallocated"] == "0.00"  # the other 950 follows the rules: January first
    opens = {c["id"]: c["open"] for c in (await api.ledger(lease["id"]))["charges"]}
    assert opens[parking["id"]] == "0.00"
    assert opens[january["id"]] == "50.00"
    too_much = await api.call(
        "POST",
        f"/v1/payments/{payment['id']}/reallocate",
        json={"allocations": [{"charge_id": parking["id"], "amount": "60"}]},
    )
    assert too_much.status_code == 422
    async with re_app.state.engine.connect() as conn:
        action = await conn.scalar(text("SELECT action FROM audit_log"))
    assert action == "payment.reallocate"


async def test_expense_recorded_event(api, re_app):
    building = (await api.ok("POST", "/v1/buildings", json={"name": "Fir"}))["id"]
    body = {"building_id": building, "schedule_e_line": 17, "amount": "88.20",
            "paid_on": "2025-03-01"}  # fmt: skip
    spent = await api.ok("POST", "/v1/expenses", json=body)
    assert spent["category"] == "Utilities"
    async with re_app.state.engine.connect() as conn:
        envelope = await conn.scalar(
            text("SELECT envelope FROM outbox WHERE type = 'realestate.expense.recorded'")
        )
    assert envelope["payload"] == {
        "expense_id": spent["id"],
        "building_id": building,
        "schedule_e_line": 17,
        "amount": "88.20",
        "paid_on": "2025-03-01",
    }


async def test_balance_as_of_a_day_is_the_books_as_they_stood(api, runs):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await runs.rent("2025-01-01")
    first = await api.pay(lease["id"], "1000", "2025-01-03")
    await api.pay(lease["id"], "500", "2025-01-05")  # credit until February's rent
    await runs.rent("2025-02-01")
    await api.ok(
        "POST",
        f"/v1/payments/{first['id']}/reverse",
        json={"kind": "nsf", "reason": "returned", "reversed_on": "2025-02-10"},
    )
    await api.pay(lease["id"], "1000", "2025-02-12")  # pays January again
    january = (await api.ledger(lease["id"]))["charges"][0]["id"]
    await api.ok(
        "POST", f"/v1/charges/{january}/void", json={"reason": "error", "on": "2025-02-15"}
    )

    async def as_of(day: str) -> tuple[str, str, str]:
        b = await api.ok("GET", f"/v1/leases/{lease['id']}/balance?as_of={day}")
        return b["open_receivable"], b["credit"], b["net"]

    assert await as_of("2024-12-31") == ("0.00", "0.00", "0.00")
    assert await as_of("2025-01-04") == ("0.00", "0.00", "0.00")
    assert await as_of("2025-01-06") == ("0.00", "500.00", "-500.00")
    assert await as_of("2025-02-01") == ("500.00", "0.00", "500.00")
    assert await as_of("2025-02-10") == ("1500.00", "0.00", "1500.00")
    assert await as_of("2025-02-14") == ("500.00", "0.00", "500.00")
    assert await as_of("2025-02-15") == ("0.00", "500.00", "-500.00")
    back = await api.call(
        "POST", f"/v1/charges/{january}/waive", json={"reason": "x", "on": "2024-12-01"}
    )
    assert back.status_code == 422
