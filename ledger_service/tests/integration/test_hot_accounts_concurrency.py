"""Many concurrent clients on a few hot accounts, on real Postgres: nothing lost or doubled.

Requests run concurrently through the app (each with its own session and database
connection), so their transactions really contend for the same account rows.
"""

import asyncio
import random
import uuid
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import text

HOT = 4
FUNDING = Decimal("100.00")


@pytest.fixture
def h(auth_headers):
    return auth_headers(tenant_id="hot", roles=frozenset({"owner"}))


@pytest.fixture
async def hot_accounts(client, h):
    await client.post("/v1/assets", json={"asset": "USD/2"}, headers=h)
    ids = []
    for n in range(HOT):
        body = {"name": f"tenant:hot/{n}", "asset": "USD/2", "debits_must_not_exceed_credits": True}
        ids.append((await client.post("/v1/accounts", json=body, headers=h)).json()["id"])
        deposit = {"id": str(uuid.uuid4()), "account_id": ids[-1], "amount": str(FUNDING)}
        assert (await client.post("/v1/deposits", json=deposit, headers=h)).status_code == 201
    return ids


def transfer(accounts, rng, mode="posted"):
    source, destination = rng.sample(accounts, 2)
    amount = f"{rng.randint(1, 30)}.{rng.randint(0, 99):02d}"
    return {
        "id": str(uuid.uuid4()),
        "mode": mode,
        "lines": [
            {"account_id": source, "side": "debit", "amount": amount},
            {"account_id": destination, "side": "credit", "amount": amount},
        ],
    }


async def test_parallel_transfers_on_hot_accounts_lose_and_double_nothing(
    client, h, hot_accounts, engine
):
    rng = random.Random(7)
    bodies = [transfer(hot_accounts, rng) for _ in range(240)]
    replays = rng.sample(bodies, 40)  # the same request again, racing the first
    gate = asyncio.Semaphore(24)

    async def send(body):
        async with gate:
            return body, await client.post("/v1/transactions", json=body, headers=h)

    answers = await asyncio.gather(*(send(b) for b in bodies + replays))

    statuses = Counter(response.status_code for _, response in answers)
    assert set(statuses) <= {200, 201, 409}, statuses
    assert statuses[201] > 0
    assert statuses[409] > 0  # some had to be refused for lack of funds
    created = {body["id"]: body for body, response in answers if response.status_code == 201}
    for _, response in answers:
        if response.status_code == 409:
            assert response.json()["type"] == "urn:finfleet:problem:insufficient-funds"
    expected: defaultdict[str, Decimal] = defaultdict(lambda: FUNDING)
    for body in created.values():
        debit, credit = body["lines"]
        expected[debit["account_id"]] -= Decimal(debit["amount"])
        expected[credit["account_id"]] += Decimal(credit["amount"])
    async with engine.connect() as connection:
        stored = Counter(
            (
                await connection.execute(
                    text(
                        "SELECT id::text FROM transactions WHERE tenant_id = 'hot' "
                        "AND kind = 'posted' AND metadata->>'movement' IS NULL"
                    )
                )
            )
            .scalars()
            .all()
        )
        sums = (
            await connection.execute(
                text("SELECT sum(debits_posted) - sum(credits_posted) FROM accounts")
            )
        ).scalar()
    assert stored == Counter(list(created)), "every 201 is stored exactly once, nothing else"
    assert sums == 0
    for account in hot_accounts:
        balance = (await client.get(f"/v1/accounts/{account}/balance", headers=h)).json()
        assert Decimal(balance["posted"]) == expected[account] >= 0


async def test_racing_post_and_void_resolve_each_hold_exactly_once(client, h, hot_accounts, engine):
    rng = random.Random(11)
    holds = [transfer(hot_accounts, rng, mode="pending") for _ in range(30)]
    placed = [
        body
        for body in holds
        if (await client.post("/v1/transactions", json=body, headers=h)).status_code == 201
    ]

    async def resolve(hold, action):
        return (
            hold["id"],
            action,
            await client.post(f"/v1/transactions/{hold['id']}/{action}", headers=h),
        )

    racers = [resolve(hold, action) for hold in placed for action in ("post", "void", "post")]
    rng.shuffle(racers)
    answers = await asyncio.gather(*racers)

    assert all(response.status_code in (200, 201, 409) for _, _, response in answers)
    winners = Counter(hold for hold, _, response in answers if response.status_code == 201)
    assert winners == Counter({hold["id"]: 1 for hold in placed})
    for _, _, response in answers:
        if response.status_code == 409:
            assert response.json()["type"] == "urn:finfleet:problem:hold-already-resolved"
    async with engine.connect() as connection:
        pending = (
            await connection.execute(
                text("SELECT sum(debits_pending) + sum(credits_pending) FROM accounts")
            )
        ).scalar()
    assert pending == 0  # every hold was resolved once, so nothing stays reserved
