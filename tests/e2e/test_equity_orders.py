"""An equity order through the gateway: held in the ledger, filled against the simulated
feed, settled by the real equity worker, canceled with its hold released."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from fleetkit.testing.fleet import eventually, list_demo_instruments

pytestmark = pytest.mark.e2e


def test_order_is_held_filled_settled_and_released_through_the_fleet(fleet):
    headers = {"Authorization": f"Bearer {fleet.user_token(tenant='e2e-equity')}"}
    api = httpx.Client(base_url=f"{fleet.gateway}/api/v1", headers=headers, timeout=10)
    list_demo_instruments(fleet)
    quoted = eventually(lambda: api.get("/equity/quotes/AAPL").status_code == 200)
    assert quoted, f"the simulated feed never quoted AAPL\n{fleet.logs()}"
    api.post("/ledger/assets", json={"asset": "USD/2"}).raise_for_status()
    cash = api.post("/ledger/accounts", json={
        "name": "tenant:e2e-equity/user:1/cash", "asset": "USD/2",
        "debits_must_not_exceed_credits": True}).json()["id"]  # fmt: skip
    api.post("/ledger/deposits", json={"id": str(uuid.uuid4()), "account_id": cash,
                                       "amount": "10000.00"}).raise_for_status()  # fmt: skip

    bought = api.post("/equity/orders", headers={"Idempotency-Key": str(uuid.uuid4())}, json={
        "client_order_id": "e2e-buy", "account_id": cash, "symbol": "AAPL", "side": "buy",
        "type": "market", "qty": "2"}).json()  # fmt: skip
    assert bought["status"] == "filled", bought

    def settled() -> list[dict[str, str]] | None:
        positions = api.get("/equity/positions", params={"account_id": cash}).json()
        return positions if positions and positions[0]["qty"] == "2" else None

    [position] = eventually(settled) or [None]
    assert position is not None, f"the equity worker never settled the fill\n{fleet.logs()}"
    paid = Decimal(bought["filled_avg_price"]) * 2

    def posted() -> Decimal:
        return Decimal(api.get(f"/ledger/accounts/{cash}/balance").json()["posted"])

    # The worker posts the whole hold, then releases what the fill did not use: wait for both.
    eventually(lambda: posted() == Decimal("10000.00") - paid)
    assert posted() == Decimal("10000.00") - paid

    resting = api.post("/equity/orders", json={
        "client_order_id": "e2e-rest", "account_id": cash, "symbol": "AAPL", "side": "buy",
        "type": "limit", "qty": "1", "limit_price": "1.00",
        "time_in_force": "gtc"}).json()  # fmt: skip
    assert resting["status"] == "new", resting
    assert api.delete(f"/equity/orders/{resting['id']}").json()["status"] == "canceled"

    def released() -> bool:
        available = api.get(f"/ledger/accounts/{cash}/balance").json()["available"]
        return Decimal(available) == Decimal("10000.00") - paid

    assert eventually(released), f"the hold was never released\n{fleet.logs()}"
