"""Through the gateway as a client would: register, sign in, fund, buy shares and a bond, pledge
to a crowdfunding campaign, record a property, group them in a portfolio, value it (every
price fresh from its service), value it again with the equity service frozen (its holding
stale at the last known price, the answer still given), snapshot it, read performance,
rebalance, and refresh the session."""

from __future__ import annotations

import os
import signal
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from equity_service.books.accounts import user_book
from fixed_income_service.books.accounts import face_account
from fleetkit.testing.fleet import eventually, list_demo_instruments

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"
PDF = b"%PDF-1.7\n% a tiny but real-looking pdf\n"


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
                                       "amount": "50000.00"}).raise_for_status()  # fmt: skip
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
    bond, face = buy_a_bond(fleet, api, tenant, cash)
    pledge = invest_in_a_campaign(fleet, api, tenant, cash)
    assert pledge["status"] == "pledged", pledge
    held = api.get(f"/ledger/accounts/{cash}/balance").json()
    assert Decimal(held["posted"]) - Decimal(held["available"]) >= Decimal("500.00"), held
    building = api.post("/realestate/buildings", json={
        "name": "Elm Street 12", "purchase_price": "480000.00",
        "purchase_date": "2024-05-01"})  # fmt: skip
    assert building.status_code == 201, building.text
    portfolio = api.post("/portfolios", json={"name": "All", "holdings": [
        {"kind": "cash", "ledger_account_id": cash},
        {"kind": "equity", "ledger_account_id": shares},
        {"kind": "bond", "ledger_account_id": face, "reference": bond},
        {"kind": "property", "reference": building.json()["id"], "share": "0.5"}]})  # fmt: skip
    assert portfolio.status_code == 201, portfolio.text
    pid = portfolio.json()["id"]

    valuation = api.get(f"/portfolios/{pid}/valuation")

    assert valuation.status_code == 200, valuation.text
    body = valuation.json()
    assert (body["complete"], body["stale_services"]) == (True, []), body
    lines = {line["kind"]: line for line in body["holdings"]}
    assert (lines["equity"]["quantity"], lines["equity"]["stale"]) == ("3", False)
    assert lines["property"]["value"] == "240000", lines["property"]  # half of the price paid
    assert lines["bond"]["quantity"] == "10000", lines["bond"]
    assert Decimal(lines["bond"]["value"]) > 0, lines["bond"]

    frozen = fleet.listening_pid("equity")
    os.kill(frozen, signal.SIGSTOP)  # the equity service stops answering, without exiting
    try:
        degraded = api.get(f"/portfolios/{pid}/valuation", timeout=30)
    finally:
        os.kill(frozen, signal.SIGCONT)
    assert degraded.status_code == 200, degraded.text
    body = degraded.json()
    assert (body["complete"], body["stale_services"]) == (False, ["equity"]), body
    stale = next(line for line in body["holdings"] if line["kind"] == "equity")
    assert stale["stale"] is True
    assert stale["price"] == lines["equity"]["price"]  # the last known price

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


def buy_a_bond(fleet, api: httpx.Client, tenant: str, cash: str) -> tuple[str, str]:
    """An operator (an admin; the gateway acts for a tenant) lists a 5 % note; the client buys
    10,000 face of it at 99.5 from its cash.
    Returns the bond id and the client's face account in the ledger."""
    maturity = (datetime.now(UTC).date() + timedelta(days=400)).replace(day=15)
    admin = {
        "Authorization": f"Bearer {fleet.user_token(tenant=tenant, roles=frozenset({'admin'}))}"
    }
    listed = api.post("/bonds/bonds", headers=admin, json={
        "name": "Acme 5% note", "isin": "US0000000AB1", "currency": "USD", "bond_type": "fixed",
        "coupon_rate": "0.05", "issue_date": (maturity - timedelta(days=540)).isoformat(),
        "maturity_date": maturity.isoformat(), "frequency": 2, "day_count": "30/360 US",
        "calendar": "WEEKENDS", "payment_convention": "unadjusted"})  # fmt: skip
    assert listed.status_code == 201, listed.text
    bond = listed.json()["id"]
    bought = api.post("/bonds/trades", headers={"Idempotency-Key": str(uuid.uuid4())}, json={
        "client_trade_id": "e2e-bond", "account_id": cash, "bond_id": bond, "side": "buy",
        "face_amount": "10000.00", "clean_price": "99.5"})  # fmt: skip
    assert bought.status_code == 201, bought.text
    face = face_account(tenant, uuid.UUID(cash), bought.json()["face_asset"])
    return bond, str(face.id)


def invest_in_a_campaign(fleet, api: httpx.Client, tenant: str, cash: str) -> dict[str, Any]:
    """An issuer passes KYC, its campaign is approved by compliance and launched, and the client
    (KYC-checked as an investor) pledges 500.00 from its cash: a hold in the ledger."""

    def acting(role: str, subject: str, **attributes: str) -> dict[str, str]:
        token = fleet.user_token(subject=subject, tenant=tenant, roles=frozenset({role}),
                                 attributes=attributes or None)  # fmt: skip
        return {"Authorization": f"Bearer {token}"}

    manager, compliance = acting("manager", "issuer-manager"), acting("compliance", "officer-1")
    issuer_cash = api.post("/ledger/accounts", json={
        "name": "e2e/issuer/cash", "asset": "USD/2"}).json()["id"]  # fmt: skip
    issuer = api.post("/issuance/issuers", headers=manager, json={
        "name": "Acme Robotics", "cash_account_id": issuer_cash})  # fmt: skip
    assert issuer.status_code == 201, issuer.text
    issuer_id = issuer.json()["id"]
    document = api.post(f"/issuance/issuers/{issuer_id}/documents", headers=manager,
                        data={"doc_type": "certificate_of_incorporation"},
                        files={"file": ("incorporation.pdf", PDF, "application/pdf")})  # fmt: skip
    assert document.status_code == 201, document.text
    kyc = api.post(f"/issuance/issuers/{issuer_id}/kyc", headers=compliance, json={
        "decision": "verified", "reason": "documents match the state registry"})  # fmt: skip
    assert kyc.status_code == 200, kyc.text
    draft = api.post("/issuance/campaigns", headers=manager, json={
        "issuer_id": issuer_id, "name": "Seed round", "unit_price": "10.00",
        "min_target": "1000.00", "max_target": "5000.00", "duration_days": 30,
        "allowed_jurisdictions": ["US"]})  # fmt: skip
    assert draft.status_code == 201, draft.text
    path = f"/issuance/campaigns/{draft.json()['id']}"
    owning = acting("manager", "issuer-manager", issuer_id=issuer_id)
    assert api.post(f"{path}/submit", headers=owning).status_code == 200
    review = api.post(f"{path}/review", headers=compliance, json={
        "decision": "approve", "reason": "Form C complete"})  # fmt: skip
    assert review.status_code == 200, review.text
    assert api.post(f"{path}/launch", headers=owning).status_code == 200
    investor_headers = acting("investor", "e2e-investor")
    investor = api.post("/issuance/investors", headers=investor_headers, json={
        "cash_account_id": cash, "jurisdiction": "US", "annual_income": "80000",
        "net_worth": "50000"})  # fmt: skip
    assert investor.status_code == 201, investor.text
    checked = api.post(f"/issuance/investors/{investor.json()['id']}/review", headers=compliance,
                       json={"kyc_status": "verified", "accredited": False,
                             "reason": "id and address checked"})  # fmt: skip
    assert checked.status_code == 200, checked.text
    keyed = {**investor_headers, "Idempotency-Key": str(uuid.uuid4())}
    pledged = api.post(f"{path}/investments", json={"amount": "500.00"}, headers=keyed)
    assert pledged.status_code == 201, pledged.text
    return dict(pledged.json())
