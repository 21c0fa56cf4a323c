"""The demo history seed on the test databases: every analytics endpoint answers with real
numbers over the past year, a snapshot the gateway takes itself agrees with the replayed
history, and a second run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from fleetkit.db import make_sessionmaker
from portfolio_service.demo_history import seed_demo_history
from portfolio_service.seed import DEFAULT_PASSWORD, seed_demo_identity


async def counts(gateway_engine, ledger_engine, equity_engine) -> tuple[int, ...]:
    found = []
    for engine, table in ((gateway_engine, "valuation_snapshots"), (gateway_engine, "portfolios"),
                          (ledger_engine, "transactions"), (ledger_engine, "accounts"),
                          (equity_engine, "bars")):  # fmt: skip
        async with engine.connect() as connection:
            found.append(await connection.scalar(text(f"SELECT count(*) FROM {table}")))
    return tuple(found)


async def test_the_demo_year_feeds_every_analytics_endpoint_and_runs_once(
    gateway, gateway_app, equity_app, committed, people, test_resources
):
    from equity_service.admin import list_demo_instruments

    await seed_demo_identity(committed, DEFAULT_PASSWORD)
    async with make_sessionmaker(equity_app.state.engine)() as session, session.begin():
        await list_demo_instruments(session, None)  # type: ignore[arg-type]
    today = datetime.now(UTC).date()

    first = await seed_demo_history(gateway_app, equity_app, DEFAULT_PASSWORD, today)
    engines = (committed, test_resources.engine("ledger_service"), equity_app.state.engine)
    after_first = await counts(*engines)
    again = await seed_demo_history(gateway_app, equity_app, DEFAULT_PASSWORD, today)
    after_again = await counts(*engines)

    assert again == first
    assert after_again == after_first
    assert first["snapshots"] == 365
    h = await people.headers("demo-owner@finfleet.example", password=DEFAULT_PASSWORD)
    pid = first["portfolio_id"]
    year = {"from": (today - timedelta(days=365)).isoformat(),
            "to": (today - timedelta(days=1)).isoformat()}  # fmt: skip
    base = f"/api/v1/portfolios/{pid}"

    performance = await gateway.get(f"{base}/performance", params=year, headers=h)
    mwr = await gateway.get(f"{base}/performance", params={**year, "method": "mwr"}, headers=h)
    risk = await gateway.get(f"{base}/risk", params={**year, "benchmark": "MSFT"}, headers=h)
    attribution = await gateway.get(
        f"{base}/attribution", params={**year, "benchmark": "demo-balanced"}, headers=h
    )
    growth = await gateway.get(f"{base}/growth", params=year, headers=h)
    summary = await gateway.get(f"{base}/summary", headers=h)
    allocation = await gateway.get(f"{base}/allocation", headers=h)

    for response in (performance, mwr, risk, attribution, growth, summary, allocation):
        assert response.status_code == 200, response.text
    assert Decimal(performance.json()["value"]) != 0
    assert mwr.json()["value"] is not None
    assert risk.json()["observations"] == 365
    assert 0 < risk.json()["annual_volatility"] < 1
    assert risk.json()["beta"] is not None
    assert len(growth.json()) == 365
    assert Decimal(growth.json()[-1]["net_contributions"]) == Decimal("122000.00")
    assert {a["key"] for a in allocation.json()["by_asset_class"]} == {"cash", "equity"}
    assert Decimal(summary.json()["income"]["by_source"]["dividends"]) > 0
    assert Decimal(summary.json()["total_return_twr"]) != 0
    linked = attribution.json()
    assert {c["asset_class"] for c in linked["classes"]} == {"cash", "equity"}
    assert linked["periods"] > 1
    assert linked["active_return"] != 0
    effects = linked["allocation"] + linked["selection"] + linked["interaction"]
    assert effects == pytest.approx(linked["active_return"])

    # The gateway's own snapshot of today (the ledger's balances, today's quotes) holds what the
    # replay held yesterday: the replayed history and the ledger tell the same story.
    taken = await gateway.post(f"{base}/snapshots", params={"day": today.isoformat()}, headers=h)
    assert taken.status_code == 201, taken.text
    async with committed.connect() as connection:
        query = text("SELECT lines FROM valuation_snapshots WHERE day = :d")
        replayed = await connection.scalar(query, {"d": today - timedelta(days=1)})
        real = await connection.scalar(query, {"d": today})
    assert {k: Decimal(line["quantity"]) for k, line in real.items()} == {
        k: Decimal(line["quantity"]) for k, line in replayed.items()}  # fmt: skip
    assert Decimal(taken.json()["net_flow"]) == 0
