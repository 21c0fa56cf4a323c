"""The mix of calls the load bench offers through the gateway, for the seeded clients
(bench/load/seeding.py).

Reads outnumber writes, as for such users: value a portfolio, list its holdings, read a quote
and a balance; deposit, buy a share, buy bond face, pay rent, pledge to a campaign. Every write
sends an Idempotency-Key, as a real client retrying safely would.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx

from bench.load.open_loop import Operation
from bench.load.seeding import Client, keyed

# Share of each operation in the mix (percent).
MIX = {
    "valuation": 15,
    "holdings": 10,
    "quote": 20,
    "balance": 15,
    "deposit": 10,
    "equity order": 10,
    "bond trade": 7,
    "rent payment": 7,
    "pledge": 6,
}


def operations(client: Client) -> dict[str, Callable[[], Awaitable[httpx.Response]]]:
    """Each operation of the mix, for one client: a call that returns the gateway's answer."""
    api, today = client.api, datetime.now(UTC).date().isoformat()

    def serial() -> str:
        return f"load-{next(client.serial)}-{uuid.uuid4().hex[:8]}"

    return {
        "valuation": lambda: api.get(f"/portfolios/{client.portfolio}/valuation"),
        "holdings": lambda: api.get(f"/portfolios/{client.portfolio}/holdings"),
        "quote": lambda: api.get("/equity/quotes/AAPL"),
        "balance": lambda: api.get(f"/ledger/accounts/{client.cash}/balance"),
        "deposit": lambda: api.post(
            "/ledger/deposits",
            headers=keyed(),
            json={"id": str(uuid.uuid4()), "account_id": client.cash, "amount": "25.00"},
        ),
        "equity order": lambda: api.post(
            "/equity/orders",
            headers=keyed(),
            json={
                "client_order_id": serial(),
                "account_id": client.cash,
                "symbol": "AAPL",
                "side": "buy",
                "type": "market",
                "qty": "1",
            },
        ),
        "bond trade": lambda: api.post(
            "/bonds/trades",
            headers=keyed(),
            json={
                "client_trade_id": serial(),
                "account_id": client.cash,
                "bond_id": client.bond,
                "side": "buy",
                "face_amount": "1000.00",
                "clean_price": "99.5",
            },
        ),
        "rent payment": lambda: api.post(
            f"/realestate/leases/{client.lease}/payments",
            headers=keyed(),
            json={"amount": "10.00", "received_on": today, "reference": serial()},
        ),
        "pledge": lambda: api.post(
            f"{client.campaign}/investments",
            json={"amount": "10.00"},
            headers={**client.investor.headers(), **keyed()},
        ),
    }


def mix_schedule(weights: dict[str, int], seed: int = 9) -> list[str]:
    """One round of the mix: each operation as many times as its weight, shuffled the same way
    every run, so that every step offers the same mix whatever its length."""
    names = [name for name, weight in weights.items() for _ in range(weight)]
    random.Random(seed).shuffle(names)
    return names


def mix(clients: list[Client], weights: dict[str, int] = MIX) -> Callable[[int], Operation]:
    """`next_operation` for the driver: request i is round-robin over the clients."""
    table = [operations(client) for client in clients]
    names = mix_schedule(weights)

    def next_operation(index: int) -> Operation:
        name = names[index % len(names)]
        call = table[index % len(table)][name]

        async def status() -> int:
            return (await call()).status_code

        return name, status

    return next_operation
