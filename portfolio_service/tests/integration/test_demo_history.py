"""The demo seed on the test databases, with every service in-process: every analytics endpoint
answers with real numbers over the past year, a snapshot the gateway takes itself agrees with
the replayed history, the other services hold their demo assets, and a second run changes
nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from fleetkit.db import make_sessionmaker
from fleetkit.testing.plugin import close_app, truncate_all
from portfolio_service.main import create_app
from portfolio_service.seed import DEFAULT_PASSWORD, seed_demo_identity
from scripts.demo_assets import seed_demo_assets
from scripts.demo_history import seed_demo_history

SERVICES = ("fixed_income_service", "realestate_service", "issuance_service")


@pytest.fixture
async def services(test_resources, ledger_app):
    """Fixed income, real estate and issuance on their test databases, on the real ledger."""
    import importlib

    apps = {}
    for package in SERVICES:
        create = importlib.import_module(f"{package}.main").create_app
        apps[package.removesuffix("_service")] = create(
            test_resources.settings(package), ledger_transport=httpx.ASGITransport(app=ledger_app)
        )
    yield apps
    for package, app in zip(SERVICES, apps.values(), strict=True):
        await close_app(app)
        await truncate_all(test_resources.engine(package))


@pytest.fixture
async def gateway_app(gateway_settings, ledger_app, equity_app, services, committed, redis, bus):
    """The gateway with every service of the fleet in-process."""
    apps = {"ledger": ledger_app, "equity": equity_app, **services}
    app = create_app(
        gateway_settings,
        transports={name: httpx.ASGITransport(app=a) for name, a in apps.items()},
    )
    yield app
    await close_app(app)


TABLES = [
    ("portfolio_service", "valuation_snapshots"), ("portfolio_service", "portfolios"),
    ("ledger_service", "transactions"), ("ledger_service", "accounts"),
    ("equity_service", "bars"), ("fixed_income_service", "bonds"),
    ("realestate_service", "payments"), ("realestate_service", "charges"),
    ("issuance_service", "campaigns"),
]  # fmt: skip


async def counts(test_resources) -> tuple[int, ...]:
    found = []
    for package, table in TABLES:
        engine = test_resources.engine(package)
        async with engine.connect() as connection:
            found.append(await connection.scalar(text(f"SELECT count(*) FROM {table}")))
    return tuple(found)


async def seed(gateway_app, equity_app, services, today):
    history = await seed_demo_history(gateway_app, equity_app, DEFAULT_PASSWORD, today)
    assets = await seed_demo_assets(
        gateway_app, services["realestate"], services["issuance"], DEFAULT_PASSWORD,
        history["inception"], today,
    )  # fmt: skip
    return history, assets


async def test_the_demo_year_feeds_every_analytics_endpoint_and_runs_once(
    gateway, gateway_app, equity_app, services, committed, people, test_resources
):
    from equity_service.admin import list_demo_instruments

    await seed_demo_identity(committed, DEFAULT_PASSWORD)
    async with make_sessionmaker(equity_app.state.engine)() as session, session.begin():
        await list_demo_instruments(session, None)  # type: ignore[arg-type]
    today = datetime.now(UTC).date()

    first, assets = await seed(gateway_app, equity_app, services, today)
    after_first = await counts(test_resources)
    again, assets_again = await seed(gateway_app, equity_app, services, today)
    after_again = await counts(test_resources)

    assert again == first
    assert {**assets_again, "bonds": 2} == assets
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
        query = text("SELECT lines FROM valuation_snapshots WHERE day = :d AND portfolio_id = :p")
        replayed = await connection.scalar(query, {"d": today - timedelta(days=1), "p": pid})
        real = await connection.scalar(query, {"d": today, "p": pid})
    assert {k: Decimal(line["quantity"]) for k, line in real.items()} == {
        k: Decimal(line["quantity"]) for k, line in replayed.items()}  # fmt: skip
    assert Decimal(taken.json()["net_flow"]) == 0

    # The property portfolio: snapshots the gateway took itself for every day of the year,
    # valued at the purchase price and then the appraisal; the year's rent as its income.
    prop = f"/api/v1/portfolios/{assets['property_portfolio_id']}"
    property_growth = (await gateway.get(f"{prop}/growth", params=year, headers=h)).json()
    property_summary = await gateway.get(f"{prop}/summary", params=year, headers=h)
    campaign = await gateway.get(f"/api/v1/issuance/campaigns/{assets['campaign_id']}", headers=h)

    assert {Decimal(p["value"]) for p in property_growth} == {Decimal(1200000), Decimal(1265000)}
    assert property_summary.status_code == 200, property_summary.text
    assert Decimal(property_summary.json()["income"]["by_source"]["rent"]) > Decimal(40000)
    assert campaign.json()["status"] == "active"
    # The live campaign is in the store of the demo investor (verified, in Germany).
    investor = await people.headers("demo-investor@finfleet.example", password=DEFAULT_PASSWORD)
    store = (await gateway.get("/api/v1/store/assets", headers=investor)).json()
    assert ("campaign", assets["campaign_id"]) in {(i["kind"], i["id"]) for i in store["items"]}
