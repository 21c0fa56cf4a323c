"""Expenses and receipts; reports checked against hand-worked figures."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import text

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def expense(api, building: str, line: int, amount: str, paid_on: str) -> dict[str, str]:
    body = {"building_id": building, "schedule_e_line": line, "amount": amount, "paid_on": paid_on}
    return dict(await api.ok("POST", "/v1/expenses", json=body, role="accountant"))


async def test_receipt_upload_checks_type_size_and_content(api):
    building = (await api.ok("POST", "/v1/buildings", json={"name": "Ash 1"}))["id"]
    spent = await expense(api, building, 14, "250.00", "2025-02-03")
    path = f"/v1/expenses/{spent['id']}/receipt"

    async def upload(name: str, content: bytes, content_type: str):
        files = {"file": (name, content, content_type)}
        return await api.call("PUT", path, files=files, role="accountant")

    stored = await upload("../../etc/plumber invoice.pdf", PDF, "application/pdf")
    assert stored.status_code == 200, stored.text
    assert stored.json()["receipt"]["name"] == "plumber invoice.pdf"
    assert stored.json()["receipt"]["size"] == len(PDF)
    exe = await upload("invoice.pdf", b"MZ\x90\x00binary", "application/pdf")
    assert (exe.status_code, exe.json()["type"].rsplit(":", 1)[-1]) == (
        415,
        "receipt-content-mismatch",
    )
    html = await upload("x.html", b"<script>", "text/html")
    assert html.status_code == 415
    big = await upload("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")
    assert big.status_code == 413
    got = await api.call("GET", path, role="viewer")
    assert got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.headers["x-content-type-options"] == "nosniff"


async def test_cash_flow_schedule_e_and_year_end_export(api, runs, re_app):
    lease = await api.lease(rent="1000", start="2025-01-01")
    building = lease["building_id"]
    await runs.rent("2025-03-01")  # Jan, Feb, Mar: 3000 charged
    await api.pay(lease["id"], "1000", "2025-01-03")
    bounced = await api.pay(lease["id"], "1000", "2025-02-03")
    await api.ok(
        "POST",
        f"/v1/payments/{bounced['id']}/reverse",
        json={"kind": "nsf", "reason": "returned", "reversed_on": "2025-02-10"},
    )
    await api.pay(lease["id"], "500", "2025-03-04")
    charges = (await api.ledger(lease["id"]))["charges"]
    await api.ok(
        "POST",
        f"/v1/charges/{charges[2]['id']}/waive",
        json={"reason": "leak", "amount": "200", "on": "2025-03-05"},
    )
    await expense(api, building, 9, "1200.00", "2025-01-15")  # insurance
    await expense(api, building, 14, "300.00", "2025-03-20")  # repairs
    cash = await api.ok("GET", "/v1/reports/cash-flow?year=2025&basis=cash")
    months = {m["month"]: (m["income"], m["expenses"], m["net"]) for m in cash["months"]}
    assert months["2025-01"] == ("1000.00", "1200.00", "-200.00")
    assert months["2025-02"] == ("0.00", "0.00", "0.00")  # received 1000, bounced 1000
    assert months["2025-03"] == ("500.00", "300.00", "200.00")
    assert cash["totals"] == {"income": "1500.00", "expenses": "1500.00", "net": "0.00"}
    accrual = await api.ok("GET", "/v1/reports/cash-flow?year=2025&basis=accrual")
    assert accrual["totals"] == {"income": "2800.00", "expenses": "1500.00", "net": "1300.00"}
    schedule = (await api.ok("GET", "/v1/reports/schedule-e?year=2025"))["properties"]
    [elm] = schedule
    assert elm["line_3_rents_received"] == "1500.00"
    assert elm["line_9_insurance"] == "1200.00"
    assert elm["line_14_repairs"] == "300.00"
    assert elm["line_20_total_expenses"] == "1500.00"
    assert elm["line_21_income_or_loss"] == "0.00"
    export = await api.call("GET", "/v1/reports/year-end?year=2025", role="accountant")
    assert export.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    assert sorted(archive.namelist()) == sorted(
        f"2025/{name}.csv"
        for name in (
            "rent_roll", "delinquency", "charges", "payments", "expenses",
            "cash_flow_cash", "cash_flow_accrual", "schedule_e",
        )
    )  # fmt: skip
    payments = list(csv.DictReader(io.StringIO(archive.read("2025/payments.csv").decode())))
    assert [p["amount"] for p in payments] == ["1000.00", "1000.00", "500.00"]
    assert [p["reversed_as"] for p in payments] == ["", "nsf", ""]
    async with re_app.state.engine.connect() as conn:
        exported = await conn.scalar(
            text("SELECT actor FROM audit_log WHERE action = 'export.year_end'")
        )
    assert exported == "accountant-1"


async def test_rent_roll_lists_occupied_and_vacant_units(api, runs):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await api.ok("POST", f"/v1/buildings/{lease['building_id']}/units", json={"label": "ZZ"})
    await runs.rent("2025-02-01")
    await api.pay(lease["id"], "1500", "2025-01-03")
    roll = (await api.ok("GET", "/v1/reports/rent-roll?as_of=2025-02-15", role="viewer"))["units"]
    by_status = {u["status"]: u for u in roll}
    assert by_status["occupied"]["rent"] == "1000.00"
    assert by_status["occupied"]["balance"] == "500.00"
    assert by_status["vacant"]["unit"] == "ZZ"


async def test_random_histories_ledger_balance_equals_the_aging_buckets(api, runs):
    """Property (seeded random histories): for every lease and every ninth day, the balance
    as of that day equals the sum of its aging buckets as of that day and the ledger's running
    balance on that day; allocations never exceed a charge or a payment."""
    rng = random.Random(20251207)
    leases = [
        await api.lease(rent=str(rng.randint(800, 2000)), start="2025-01-01") for _ in range(3)
    ]
    day = date(2025, 1, 1)
    payments: list[str] = []
    for _ in range(40):
        day += timedelta(days=rng.randint(1, 6))
        lease = rng.choice(leases)["id"]
        move = rng.random()
        if move < 0.4:
            amount = f"{rng.randint(1, 150000) / 100:.2f}"
            payments.append((await api.pay(lease, amount, day.isoformat()))["id"])
        elif move < 0.55:
            await api.charge(
                lease, rng.choice(["utility", "late_fee", "parking"]), "45.50", day.isoformat()
            )
        elif move < 0.65 and payments:
            await api.call(
                "POST",
                f"/v1/payments/{payments.pop(rng.randrange(len(payments)))}/reverse",
                json={
                    "kind": "nsf",
                    "reason": "bounced",
                    "nsf_fee": "25",
                    "reversed_on": day.isoformat(),
                },
            )
        elif move < 0.75:
            charges = [c for c in (await api.ledger(lease))["charges"] if c["open"] != "0.00"]
            if charges:
                target = rng.choice(charges)["id"]
                kind = rng.choice(["waive", "write-off", "void"])
                body = {"reason": "random", "on": day.isoformat()}
                await api.ok("POST", f"/v1/charges/{target}/{kind}", json=body)
        await runs.rent(day.isoformat())
    buckets = ("not_yet_due", "0_30", "31_60", "61_90", "91_plus", "credits")
    checked_days = [
        date(2025, 1, 1) + timedelta(days=n) for n in range(0, (day - date(2025, 1, 1)).days + 1, 9)
    ]
    for as_of in [*checked_days, day]:
        aging = await api.ok("GET", f"/v1/reports/delinquency?as_of={as_of}")
        by_lease = {row["lease_id"]: row for row in aging["leases"]}
        for lease in leases:
            then = await api.ok("GET", f"/v1/leases/{lease['id']}/balance?as_of={as_of}")
            row = by_lease.get(lease["id"])
            bucket_sum = sum((Decimal(row[b]) for b in buckets), Decimal(0)) if row else Decimal(0)
            assert bucket_sum == Decimal(then["net"]), (as_of, lease["id"])
            entries = [
                e for e in (await api.ledger(lease["id"]))["entries"] if e["on"] <= str(as_of)
            ]
            running = Decimal(entries[-1]["balance"]) if entries else Decimal(0)
            assert running == Decimal(then["net"]), (as_of, lease["id"])
    for lease in leases:
        balance = await api.balance(lease["id"])
        assert balance == await api.ok("GET", f"/v1/leases/{lease['id']}/balance?as_of={day}")
        ledger = await api.ledger(lease["id"])
        assert ledger["entries"][-1]["balance"] == balance["net"] if ledger["entries"] else True
        assert all(
            Decimal("0") <= Decimal(c["open"]) <= Decimal(c["amount"]) for c in ledger["charges"]
        )
    async with api.client._transport.app.state.engine.connect() as conn:
        over = await conn.scalar(
            text(
                "SELECT count(*) FROM payments p WHERE (SELECT coalesce(sum(a.amount), 0) "
                "FROM allocations a WHERE a.payment_id = p.id) NOT BETWEEN 0 AND p.amount"
            )
        )
    assert over == 0


async def test_lists_are_cursor_paginated(api):
    building = (await api.ok("POST", "/v1/buildings", json={"name": "Page"}))["id"]
    for n in range(5):
        await expense(api, building, 15, f"{n + 1}.00", "2025-05-01")
    seen, cursor = [], ""
    while True:
        page = await api.ok("GET", f"/v1/expenses?limit=2{cursor}")
        seen += [e["amount"] for e in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == ["1.00", "2.00", "3.00", "4.00", "5.00"]
    bad = await api.call("GET", "/v1/expenses?cursor=bm90LWEtdXVpZA")
    assert bad.status_code == 400
    assert len((await api.ok("GET", "/v1/buildings"))["items"]) == 1
    assert (await api.ok("GET", "/v1/tenants"))["next_cursor"] is None
