"""Performance and risk endpoints fed by valuation snapshots; snapshots taken from the real
ledger (flows from its deposits) and the real equity service."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import empyrical
import numpy as np
import pytest
from sqlalchemy import text

from portfolio_service.valuation.tasks import snapshot_every_portfolio


@pytest.fixture
async def owner(people):
    registered = await people.register("pat@example.com", tenant_name="Perf")
    return {
        "tenant": registered["memberships"][0]["tenant_id"],
        "headers": await people.headers("pat@example.com"),
    }


async def empty_portfolio(gateway, owner) -> str:
    response = await gateway.post(
        "/api/v1/portfolios", json={"name": "p"}, headers=owner["headers"]
    )
    return str(response.json()["id"])


async def store_snapshots(engine, owner, portfolio_id, rows):
    async with engine.begin() as connection:
        for day, value, flow in rows:
            await connection.execute(
                text("INSERT INTO valuation_snapshots (portfolio_id, tenant_id, day, value, "
                     "net_flow, complete) VALUES (:p, :t, :d, :v, :f, true)"),
                {"p": uuid.UUID(portfolio_id), "t": uuid.UUID(owner["tenant"]), "d": day,
                 "v": Decimal(value), "f": Decimal(flow)},
            )  # fmt: skip


ISSUE_FIXTURE = [
    (date(2024, 1, 1), "1000", "1000"),
    (date(2024, 6, 30), "1100", "0"),
    (date(2024, 7, 1), "2100", "1000"),
    (date(2024, 12, 31), "1900", "0"),
]


@pytest.mark.parametrize(
    ("method", "percent", "places"),
    [("twr", "-0.4762", 4), ("modified_dietz", "-6.661", 3), ("mwr", "-6.623", 3)],
)
async def test_the_issue_fixture_through_the_api(
    gateway, owner, committed, method, percent, places
):
    pid = await empty_portfolio(gateway, owner)
    await store_snapshots(committed, owner, pid, ISSUE_FIXTURE)

    response = await gateway.get(
        f"/api/v1/portfolios/{pid}/performance",
        params={"from": "2024-01-01", "to": "2024-12-31", "method": method},
        headers=owner["headers"],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert round(Decimal(body["value"]) * 100, places) == Decimal(percent)
    assert body["method"] == method
    assert body["definition"]
    assert (body["from"], body["to"]) == ("2024-01-01", "2024-12-31")


async def test_mwr_without_a_rate_says_so(gateway, owner, committed):
    pid = await empty_portfolio(gateway, owner)
    await store_snapshots(committed, owner, pid, [(date(2024, 1, 1), "0", "0")])

    body = (
        await gateway.get(
            f"/api/v1/portfolios/{pid}/performance",
            params={"from": "2024-01-01", "to": "2024-12-31", "method": "mwr"},
            headers=owner["headers"],
        )
    ).json()

    assert body["value"] is None
    assert "no rate exists" in body["no_return_reason"]


async def test_a_reversed_period_is_a_problem(gateway, owner):
    pid = await empty_portfolio(gateway, owner)

    response = await gateway.get(
        f"/api/v1/portfolios/{pid}/performance",
        params={"from": "2024-12-31", "to": "2024-01-01"}, headers=owner["headers"],
    )  # fmt: skip

    assert response.status_code == 422
    assert response.json()["type"] == "urn:finfleet:problem:invalid-period"


async def test_risk_matches_empyrical_on_the_snapshot_returns(gateway, owner, committed, market):
    pid = await empty_portfolio(gateway, owner)
    values = [1000, 1010, 995, 1020, 1005, 990, 1030, 1040, 1000, 1060, 1050]
    bench = [100, 101, 100.5, 102, 101, 100, 103, 104, 101, 105, 104.5]
    days = [date(2024, 3, 1) + timedelta(days=i) for i in range(len(values))]
    await store_snapshots(committed, owner, pid, [(days[0], "1000", "1000")] + [
        (d, str(v), "0") for d, v in zip(days[1:], values[1:], strict=True)])  # fmt: skip
    await market.list("BNCH")
    for d, close in zip(days, bench, strict=True):
        await market.close("BNCH", d, str(close))

    body = (
        await gateway.get(
            f"/api/v1/portfolios/{pid}/risk",
            params={"from": days[0].isoformat(), "to": days[-1].isoformat(),
                    "confidence": "0.9", "benchmark": "BNCH"},
            headers=owner["headers"],
        )
    ).json()  # fmt: skip

    returns = np.diff(values) / np.array(values[:-1])
    bench_returns = np.diff(bench) / np.array(bench[:-1])
    assert body["observations"] == len(returns) + 1  # the first day: 1000 in, 1000 worth: 0 %
    full = np.concatenate([[0.0], returns])
    assert body["annual_volatility"] == pytest.approx(empyrical.annual_volatility(full))
    assert body["sharpe_ratio"] == pytest.approx(empyrical.sharpe_ratio(full))
    assert body["sortino_ratio"] == pytest.approx(empyrical.sortino_ratio(full))
    assert body["maximum_drawdown"]["depth"] == pytest.approx(empyrical.max_drawdown(full))
    assert body["historical"]["value_at_risk"] == pytest.approx(
        -empyrical.value_at_risk(full, cutoff=0.1)
    )
    assert body["beta"] == pytest.approx(empyrical.beta(returns, bench_returns))
    assert "Hyndman-Fan type 7" in body["conventions"]


async def test_snapshots_read_value_and_flows_from_the_ledger(
    gateway, gateway_app, owner, books, market, committed, test_resources
):
    h = owner["headers"]
    await market.list("ACME")
    await market.quote("ACME", "99", "101")
    cash = await books.account(h, "pat/cash", "USD/2")
    shares = await books.account(h, "pat/ACME", "ACME/9")
    await books.deposit(h, cash, "1000.00")
    await books.deposit(h, shares, "10")  # securities brought in: a flow worth 10 x 100
    pid = (await gateway.post("/api/v1/portfolios", json={"name": "real", "holdings": [
        {"kind": "cash", "ledger_account_id": cash},
        {"kind": "equity", "ledger_account_id": shares}]}, headers=h)).json()["id"]  # fmt: skip
    today = datetime.now(UTC).date()

    taken = await gateway.post(
        f"/api/v1/portfolios/{pid}/snapshots", params={"day": today.isoformat()}, headers=h
    )
    performance = await gateway.get(
        f"/api/v1/portfolios/{pid}/performance",
        params={"from": today.isoformat(), "to": today.isoformat(), "method": "twr"}, headers=h,
    )  # fmt: skip

    assert taken.status_code == 201, taken.text
    assert Decimal(taken.json()["value"]) == Decimal("2000")
    assert Decimal(taken.json()["net_flow"]) == Decimal("2000")
    assert Decimal(performance.json()["value"]) == 0
    assert performance.json()["complete"] is True


async def test_the_nightly_job_snapshots_every_live_portfolio(
    gateway, gateway_app, owner, books, committed, ledger_app, equity_app
):
    import httpx

    cash = await books.account(owner["headers"], "pat/cash", "USD/2")
    await books.deposit(owner["headers"], cash, "250.00")
    await gateway.post("/api/v1/portfolios", json={"name": "a", "holdings": [
        {"kind": "cash", "ledger_account_id": cash}]}, headers=owner["headers"])  # fmt: skip
    doomed = await empty_portfolio(gateway, owner)
    await gateway.delete(f"/api/v1/portfolios/{doomed}", headers=owner["headers"])
    today = datetime.now(UTC).date()

    taken = await snapshot_every_portfolio(
        committed, gateway_app.state.settings, today,
        transports={"ledger": httpx.ASGITransport(app=ledger_app),
                    "equity": httpx.ASGITransport(app=equity_app)},
    )  # fmt: skip

    async with committed.connect() as connection:
        rows = (await connection.execute(text(
            "SELECT value, net_flow FROM valuation_snapshots"))).all()  # fmt: skip
    assert taken == 1
    assert rows == [(Decimal("250.00"), Decimal("250.00"))]


async def test_growth_shows_value_and_cumulative_contributions(gateway, owner, committed):
    pid = await empty_portfolio(gateway, owner)
    await store_snapshots(committed, owner, pid, ISSUE_FIXTURE)

    growth = (
        await gateway.get(
            f"/api/v1/portfolios/{pid}/growth",
            params={"from": "2024-06-30", "to": "2024-12-31"}, headers=owner["headers"],
        )
    ).json()  # fmt: skip

    # 1,000 came in on 01-01 (before the period) and 1,000 more on 07-01.
    assert [(p["day"], p["value"], p["net_contributions"]) for p in growth] == [
        ("2024-06-30", "1100", "1000"), ("2024-07-01", "2100", "2000"),
        ("2024-12-31", "1900", "2000")]  # fmt: skip


async def test_performance_by_asset_class_treats_purchases_as_flows_between_sleeves(
    gateway, owner, committed
):
    import json

    pid = await empty_portfolio(gateway, owner)
    cash_id, acme_id = str(uuid.uuid4()), str(uuid.uuid4())

    def line(kind, klass, q, p, v):
        return {"kind": kind, "asset_class": klass, "reference": kind, "quantity": q,
                "price": p, "value": v}  # fmt: skip

    days = [
        # 1,000 deposited, half of it spent on 5 ACME at 100; the next day ACME is 110.
        (date(2024, 1, 2), "1000", "1000", {cash_id: line("cash", "cash", "500", "1", "500"),
                                            acme_id: line("equity", "equity", "5", "100", "500")}),
        (date(2024, 1, 3), "1050", "0", {cash_id: line("cash", "cash", "500", "1", "500"),
                                         acme_id: line("equity", "equity", "5", "110", "550")}),
    ]  # fmt: skip
    async with committed.begin() as connection:
        for day, value, flow, lines in days:
            await connection.execute(
                text("INSERT INTO valuation_snapshots (portfolio_id, tenant_id, day, value, "
                     "net_flow, complete, lines) VALUES (:p, :t, :d, :v, :f, true, "
                     "CAST(:l AS jsonb))"),
                {"p": uuid.UUID(pid), "t": uuid.UUID(owner["tenant"]), "d": day,
                 "v": Decimal(value), "f": Decimal(flow), "l": json.dumps(lines)},
            )  # fmt: skip

    body = (
        await gateway.get(
            f"/api/v1/portfolios/{pid}/performance",
            params={"from": "2024-01-02", "to": "2024-01-03", "group_by": "asset_class"},
            headers=owner["headers"],
        )
    ).json()
    by_holding = (
        await gateway.get(
            f"/api/v1/portfolios/{pid}/performance",
            params={"from": "2024-01-02", "to": "2024-01-03", "group_by": "holding"},
            headers=owner["headers"],
        )
    ).json()

    assert Decimal(body["portfolio"]["value"]) == Decimal("0.05")
    assert {g["group"]: Decimal(g["value"]) for g in body["groups"]} == {
        "cash": Decimal(0), "equity": Decimal("0.1")}  # fmt: skip
    assert {g["group"] for g in by_holding["groups"]} == {f"cash:{cash_id}", f"equity:{acme_id}"}
