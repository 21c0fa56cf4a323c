"""A client of the gateway that behaves like a real one: every write carries an Idempotency-Key,
and a write that times out, cannot connect, or gets a 5xx, 409 (still in flight) or 429 is sent
again with the same key and body, with jittered backoff, until it is answered for good."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from fleetkit.testing.fleet import Fleet, eventually, list_demo_instruments

TENANT = "chaos-tenant"
RETRYABLE = {409, 425, 429}
GIVE_UP_SECONDS = 120.0
PDF = b"%PDF-1.7\n% chaos\n"


@dataclass
class Tally:
    """What the client saw: accepted answers per kind, retries, refusals."""

    accepted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sent: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    attempts: int = 0
    refused: list[tuple[str, int, str]] = field(default_factory=list)
    failures_seen: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, kind: str) -> int:
        return len(self.accepted.get(kind, []))


class FleetClient:
    """The gateway, as one tenant's owner, with retries for writes."""

    def __init__(self, fleet: Fleet, tally: Tally, *, timeout: float = 10.0) -> None:
        self.fleet = fleet
        self.tally = tally
        self.http = httpx.Client(base_url=f"{fleet.gateway}/api/v1", timeout=timeout)

    def headers(
        self, role: str = "owner", subject: str = "chaos-owner", **attributes: str
    ) -> dict[str, str]:
        token = self.fleet.user_token(subject=subject, tenant=TENANT, roles=frozenset({role}),
                                      attributes=attributes or None)  # fmt: skip
        return {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params, headers=self.headers())
        response.raise_for_status()
        return response.json()

    def write(
        self,
        kind: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        role: str = "owner",
        subject: str = "chaos-owner",
        **attributes: str,
    ) -> dict[str, Any] | None:
        """POST until answered for good; the accepted body, or None when refused."""
        key, attempt = str(uuid.uuid4()), 0
        deadline = time.monotonic() + GIVE_UP_SECONDS
        with self.tally.lock:
            self.tally.sent[kind] += 1
        while True:
            attempt += 1
            headers = {**self.headers(role, subject, **attributes), "Idempotency-Key": key}
            try:
                response = self.http.post(path, json=body, headers=headers)
                failure = (
                    None
                    if response.status_code < 500 and response.status_code not in RETRYABLE
                    else str(response.status_code)
                )
            except httpx.HTTPError as exc:
                response, failure = None, type(exc).__name__
            with self.tally.lock:
                self.tally.attempts += 1
                if failure is not None:
                    self.tally.failures_seen[failure] += 1
            if failure is None and response is not None:
                return self._settle(kind, attempt, response)
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{kind} {path} still failing ({failure}) after {attempt} tries"
                )
            time.sleep(min(2.0, 0.1 * 2**attempt) * random.uniform(0.5, 1.0))

    def _settle(self, kind: str, attempt: int, response: httpx.Response) -> dict[str, Any] | None:
        with self.tally.lock:
            if attempt > 1:
                self.tally.retried[kind] += 1
            if response.status_code >= 300:
                self.tally.refused.append((kind, response.status_code, response.text[:300]))
                return None
            body = dict(response.json())
            self.tally.accepted.setdefault(kind, []).append(body)
            return body


@dataclass
class Book:
    """The ids the workload trades with, set up before any fault."""

    cash: str
    bond: str
    campaign_path: str
    investor: str


def open_book(client: FleetClient) -> Book:
    """Cash account funded, a bond listed, a launched campaign and a KYC-checked investor."""
    list_demo_instruments(client.fleet)
    assert eventually(
        lambda: client.http.get("/equity/quotes/AAPL", headers=client.headers()).status_code == 200,
        60,
    )
    client.write("setup", "/ledger/assets", {"asset": "USD/2"})
    cash = client.write(
        "setup",
        "/ledger/accounts",
        {"name": "chaos/cash", "asset": "USD/2", "debits_must_not_exceed_credits": True},
    )
    assert cash is not None
    client.write(
        "setup",
        "/ledger/deposits",
        {"id": str(uuid.uuid4()), "account_id": cash["id"], "amount": "10000000.00"},
    )
    maturity = (datetime.now(UTC).date() + timedelta(days=400)).replace(day=15)
    bond = client.write("setup", "/bonds/bonds", {
        "name": "Chaos 5% note", "isin": "US0000000CH1", "currency": "USD", "bond_type": "fixed",
        "coupon_rate": "0.05", "issue_date": (maturity - timedelta(days=540)).isoformat(),
        "maturity_date": maturity.isoformat(), "frequency": 2, "day_count": "30/360 US",
        "calendar": "WEEKENDS", "payment_convention": "unadjusted"}, role="admin")  # fmt: skip
    assert bond is not None, client.tally.refused
    campaign_path, investor = open_campaign(client, cash["id"])
    return Book(cash=cash["id"], bond=bond["id"], campaign_path=campaign_path, investor=investor)


def open_campaign(client: FleetClient, cash: str) -> tuple[str, str]:
    manager = {"role": "manager", "subject": "issuer-manager"}
    compliance = {"role": "compliance", "subject": "officer-1"}
    issuer_cash = client.write(
        "setup", "/ledger/accounts", {"name": "chaos/issuer/cash", "asset": "USD/2"}
    )
    assert issuer_cash is not None
    issuer = client.write(
        "setup",
        "/issuance/issuers",
        {"name": "Chaos Robotics", "cash_account_id": issuer_cash["id"]},
        **manager,
    )
    assert issuer is not None, client.tally.refused
    document = client.http.post(
        f"/issuance/issuers/{issuer['id']}/documents",
        headers=client.headers(**manager),
        data={"doc_type": "certificate_of_incorporation"},
        files={"file": ("incorporation.pdf", PDF, "application/pdf")},
    )
    assert document.status_code == 201, document.text
    client.write(
        "setup",
        f"/issuance/issuers/{issuer['id']}/kyc",
        {"decision": "verified", "reason": "registry match"},
        **compliance,
    )
    draft = client.write("setup", "/issuance/campaigns", {
        "issuer_id": issuer["id"], "name": "Chaos round", "unit_price": "10.00",
        "min_target": "1000.00", "max_target": "5000000.00", "duration_days": 30,
        "allowed_jurisdictions": ["US"]}, **manager)  # fmt: skip
    assert draft is not None, client.tally.refused
    path = f"/issuance/campaigns/{draft['id']}"
    owning = {**manager, "issuer_id": issuer["id"]}
    client.write("setup", f"{path}/submit", None, **owning)
    client.write(
        "setup",
        f"{path}/review",
        {"decision": "approve", "reason": "Form C complete"},
        **compliance,
    )
    client.write("setup", f"{path}/launch", None, **owning)
    investor = client.write("setup", "/issuance/investors", {
        "cash_account_id": cash, "jurisdiction": "US", "annual_income": "900000",
        "net_worth": "5000000"}, role="investor", subject="chaos-investor")  # fmt: skip
    assert investor is not None, client.tally.refused
    review = {"kyc_status": "verified", "accredited": True, "reason": "checked"}
    client.write("setup", f"/issuance/investors/{investor['id']}/review", review, **compliance)
    assert not client.tally.refused, client.tally.refused
    return path, investor["id"]


def one_operation(client: FleetClient, book: Book, kind: str, number: int) -> None:
    """One request of the mix: a deposit, a share purchase, a bond purchase or a pledge."""
    if kind == "deposit":
        client.write(
            kind,
            "/ledger/deposits",
            {"id": str(uuid.uuid4()), "account_id": book.cash, "amount": "100.00"},
        )
    elif kind == "equity_order":
        client.write(kind, "/equity/orders", {
            "client_order_id": f"chaos-{number}", "account_id": book.cash, "symbol": "AAPL",
            "side": "buy", "type": "market", "qty": "1"})  # fmt: skip
    elif kind == "bond_trade":
        client.write(kind, "/bonds/trades", {
            "client_trade_id": f"chaos-{number}", "account_id": book.cash, "bond_id": book.bond,
            "side": "buy", "face_amount": "1000.00", "clean_price": "99.5"})  # fmt: skip
    else:
        client.write(kind, f"{book.campaign_path}/investments", {"amount": "10.00"},
                     role="investor", subject="chaos-investor")  # fmt: skip


KINDS = ("deposit", "equity_order", "bond_trade", "pledge")


def run_workload(
    client: FleetClient, book: Book, stop: threading.Event, *, seed: int, first: int
) -> None:
    """Send the mix, one request after another, until `stop` is set."""
    chooser = random.Random(seed)
    number = first
    while not stop.is_set():
        one_operation(client, book, chooser.choice(KINDS), number)
        number += 1
