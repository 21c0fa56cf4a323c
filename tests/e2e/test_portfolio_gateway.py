"""Through the gateway as a client would: register, sign in, fund, buy shares, group them in a
portfolio with a bond and a property (their services give no price on this branch: stale, not
an error), value it, snapshot it, read performance, rebalance, and refresh the session."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from equity_service.books.accounts import user_book
from tests.e2e.test_equity_orders import eventually, list_demo_instruments

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


def test_a_client_values_rebalances_and_measures_a_portfolio(fleet):
    public = httpx.Client(base_url=f"{fleet.gateway}/api/v1", timeout=15)
    registered = public.post("/auth/register", json={
        "email": "e2e@example.com", "password": PASSWORD, "display_name": "E2E",
        "tenant_name": "E2E Wealth"})  # fmt: skip
    assert registered.status_code == 201, registered.text
    grant = public.post(
        "/auth/token", data={"username": "e2e@example.com", "password": PASSWORD}
    ).json()
    api = httpx.Client(base_url=f"{fleet.gateway}/api/v1", timeout=15,
                       headers={"Authorization": f"Bearer {grant['access_token']}"})  # fmt: skip
    list_demo_instruments(fleet)
    assert eventually(lambda: api.get("/equity/quotes/AAPL").status_code == 200), fleet.logs()
    api.post("/ledger/assets", json={"asset": "USD/2"}).raise_for_status()
    cash = api.post("/ledger/accounts", json={
        "name": "e2e/cash", "asset": "USD/2", "debits_must_not_exceed_credits": True}
    ).json()["id"]  # fmt: skip
    api.post("/ledger/deposits", json={"id": str(uuid.uuid4()), "account_id": cash,
                                       "amount": "10000.00"}).raise_for_status()  # fmt: skip
    bought = api.post("/equity/orders", json={
        "client_order_id": "e2e-p-buy", "account_id": cash, "symbol": "AAPL", "side": "buy",
        "type": "market", "qty": "3"}).json()  # fmt: skip
    assert bought["status"] == "filled", bought

    def settled() -> bool:
        positions = api.get("/equity/positions", params={"account_id": cash}).json()
        return bool(positions) and positions[0]["qty"] == "3"

    assert eventually(settled), f"never settled\n{fleet.logs()}"
    tenant = registered.json()["memberships"][0]["tenant_id"]
    shares = str(user_book(tenant, uuid.UUID(cash), "AAPL").shares.id)
    face = api.post("/ledger/accounts", json={"name": "e2e/bond", "asset": "USD/2"}).json()["id"]
    portfolio = api.post("/portfolios", json={"name": "All", "holdings": [
        {"kind": "cash", "ledger_account_id": cash},
        {"kind": "equity", "ledger_account_id": shares},
        {"kind": "bond", "ledger_account_id": face, "reference": str(uuid.uuid4())},
        {"kind": "property", "reference": str(uuid.uuid4()), "share": "0.5"}]})  # fmt: skip
    assert portfolio.status_code == 201, portfolio.text
    pid = portfolio.json()["id"]

    valuation = api.get(f"/portfolios/{pid}/valuation")

    assert valuation.status_code == 200, valuation.text
    body = valuation.json()
    assert body["complete"] is False
    assert set(body["stale_services"]) == {"fixed_income", "realestate"}
    equity = next(line for line in body["holdings"] if line["kind"] == "equity")
    assert (equity["quantity"], equity["stale"]) == ("3", False)

    today = datetime.now(UTC).date().isoformat()
    assert api.post(f"/portfolios/{pid}/snapshots", params={"day": today}).status_code == 201
    performance = api.get(f"/portfolios/{pid}/performance",
                          params={"from": today, "to": today, "method": "twr"})  # fmt: skip
    assert performance.status_code == 200, performance.text
    assert performance.json()["definition"]

    holding = next(h["id"] for h in portfolio.json()["holdings"] if h["kind"] == "equity")
    api.put(f"/portfolios/{pid}/targets", json={"weights": {holding: "0.5"}}).raise_for_status()
    plan = api.post(f"/portfolios/{pid}/rebalance-plans", json={"mode": "full"}).json()
    assert [(leg["symbol"], leg["side"]) for leg in plan["legs"]] == [("AAPL", "buy")], plan
    first = api.post(f"/portfolios/{pid}/rebalance-plans/{plan['id']}/execute").json()
    again = api.post(f"/portfolios/{pid}/rebalance-plans/{plan['id']}/execute").json()
    assert [o["order_id"] for o in again["orders"]] == [o["order_id"] for o in first["orders"]]
    assert first["orders"][0]["client_order_id"] == f"{plan['id']}:1"

    refreshed = public.post("/auth/refresh", json={"refresh_token": grant["refresh_token"]})
    replayed = public.post("/auth/refresh", json={"refresh_token": grant["refresh_token"]})
    assert refreshed.status_code == 200
    assert replayed.status_code == 401
