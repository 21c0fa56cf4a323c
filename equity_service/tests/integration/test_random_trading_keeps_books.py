"""Random trading against the real ledger: whatever sequence of orders, quotes, cancels and
settlements happens, every reservation covers what its fills use, and once everything is
closed and settled nothing is reserved and every asset still sums to zero."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from sqlalchemy import select

from equity_service.orders.models import Order

D = Decimal


async def reservations_cover_fills(equity_app) -> None:
    async with equity_app.state.sessionmaker() as session:
        for order in (await session.execute(select(Order))).scalars():
            assert order.filled_qty <= order.qty
            assert order.used <= order.reserved


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_trading_leaves_nothing_reserved(
    seed, equity, equity_app, market, books, books_clean
):
    rng = random.Random(seed)
    await market.list()
    users = [await books.user(name, cash="5000.00") for name in ("alice", "bob", "carol")]
    mid = D("100.00")
    await market.quote("ACME", "99.95", "100.05", size="5")
    placed: list[str] = []
    for step in range(30):
        action = rng.random()
        if action < 0.5:
            side = rng.choice(["buy", "sell"])
            kind = rng.choice(["market", "limit", "limit", "stop"])
            body = {
                "client_order_id": f"s{seed}-{step}",
                "account_id": str(rng.choice(users)),
                "symbol": "ACME",
                "side": side,
                "type": kind,
                "qty": str(rng.randint(1, 8)),
                "time_in_force": rng.choice(["day", "gtc", "ioc", "fok"])
                if kind != "stop"
                else "gtc",
            }
            if kind == "limit":
                body["limit_price"] = str(mid + D(rng.randint(-300, 300)) / 100)
            if kind == "stop":
                body["stop_price"] = str(mid + D(rng.randint(-200, 200)) / 100)
            if kind == "market" and body["time_in_force"] == "gtc":
                body["time_in_force"] = "day"
            response = await equity.post("/v1/orders", json=body)
            assert response.status_code in (201, 422), response.text
            if response.status_code == 201:
                placed.append(response.json()["id"])
        elif action < 0.75:
            mid = max(D("1.00"), mid + D(rng.randint(-250, 250)) / 100)
            await market.quote(
                "ACME", str(mid - D("0.05")), str(mid + D("0.05")), size=str(rng.randint(1, 10))
            )
        elif action < 0.85 and placed:
            response = await equity.delete(f"/v1/orders/{rng.choice(placed)}")
            assert response.status_code in (200, 409)
        else:
            await market.settle()
        await reservations_cover_fills(equity_app)

    for order_id in placed:
        await equity.delete(f"/v1/orders/{order_id}")
    await market.settle()

    await books_clean()
    for user in users:
        balance = await books.balance(user)
        assert balance["available"] == balance["posted"] >= 0
