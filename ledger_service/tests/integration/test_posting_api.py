"""The ledger's HTTP API on real Postgres: accounts, posting, holds, reversals, refusals."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest


@pytest.fixture
def h(auth_headers):
    return auth_headers(tenant_id="acme", roles=frozenset({"owner"}))


@pytest.fixture
async def usd(client, h):
    response = await client.post("/v1/assets", json={"asset": "USD/2"}, headers=h)
    assert response.status_code == 201, response.text
    return response.json()


async def open_account(client, h, name, **extra):
    body = {"name": name, "asset": "USD/2", **extra}
    response = await client.post("/v1/accounts", json=body, headers=h)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def deposit(client, h, account_id, amount):
    body = {"id": str(uuid.uuid4()), "account_id": account_id, "amount": amount}
    response = await client.post("/v1/deposits", json=body, headers=h)
    assert response.status_code == 201, response.text
    return response.json()


async def balance(client, h, account_id, **params):
    response = await client.get(f"/v1/accounts/{account_id}/balance", params=params, headers=h)
    assert response.status_code == 200, response.text
    return response.json()


def transfer(source, destination, amount, **extra):
    return {
        "id": str(uuid.uuid4()),
        "lines": [
            {"account_id": source, "side": "debit", "amount": amount},
            {"account_id": destination, "side": "credit", "amount": amount},
        ],
        **extra,
    }


@pytest.fixture
async def alice_and_bob(client, h, usd):
    alice = await open_account(
        client, h, "tenant:acme/user:alice/cash", debits_must_not_exceed_credits=True
    )
    bob = await open_account(
        client, h, "tenant:acme/user:bob/cash", debits_must_not_exceed_credits=True
    )
    await deposit(client, h, alice, "100.00")
    return alice, bob


async def test_transfer_moves_cash_and_balances_follow(client, h, alice_and_bob):
    alice, bob = alice_and_bob

    response = await client.post("/v1/transactions", json=transfer(alice, bob, "30.25"), headers=h)

    assert response.status_code == 201, response.text
    assert (await balance(client, h, alice))["posted"] == "69.75"
    assert (await balance(client, h, bob))["available"] == "30.25"


async def test_same_id_and_body_replays_and_other_body_is_409(client, h, alice_and_bob):
    alice, bob = alice_and_bob
    body = transfer(alice, bob, "10.00")

    first = await client.post("/v1/transactions", json=body, headers=h)
    again = await client.post("/v1/transactions", json=body, headers=h)
    other = await client.post("/v1/transactions", json={**body, "metadata": {"x": 1}}, headers=h)

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json() == first.json()
    assert other.json()["type"] == "urn:finfleet:problem:transaction-id-reused"
    assert (await balance(client, h, alice))["posted"] == "90.00"


async def test_overdraft_is_refused_with_insufficient_funds(client, h, alice_and_bob):
    alice, bob = alice_and_bob

    response = await client.post("/v1/transactions", json=transfer(alice, bob, "100.01"), headers=h)

    assert response.status_code == 409
    assert response.json()["type"] == "urn:finfleet:problem:insufficient-funds"
    assert (await balance(client, h, alice))["posted"] == "100.00"


@pytest.mark.parametrize(
    ("lines_amounts", "kind"),
    [(("10.00", "9.99"), "unbalanced"), (("1.001", "1.001"), "precision-exceeded")],
)
async def test_malformed_transactions_are_refused(client, h, alice_and_bob, lines_amounts, kind):
    alice, bob = alice_and_bob
    body = transfer(alice, bob, "1.00")
    body["lines"][0]["amount"], body["lines"][1]["amount"] = lines_amounts

    response = await client.post("/v1/transactions", json=body, headers=h)

    assert response.status_code == 422
    assert response.json()["type"] == f"urn:finfleet:problem:{kind}"


async def test_unknown_account_and_other_tenants_account_are_refused(
    client, h, auth_headers, usd, alice_and_bob
):
    alice, _ = alice_and_bob
    globex = auth_headers(tenant_id="globex")
    theirs = await open_account(client, globex, "tenant:globex/cash")

    response = await client.post(
        "/v1/transactions", json=transfer(alice, theirs, "1.00"), headers=h
    )
    peek = await client.get(f"/v1/accounts/{alice}", headers=globex)

    assert response.json()["type"] == "urn:finfleet:problem:unknown-account"
    assert peek.status_code == 404


async def test_hold_reserves_then_partial_post_releases_the_rest(client, h, alice_and_bob):
    alice, bob = alice_and_bob
    hold = transfer(alice, bob, "40.00", mode="pending")

    placed = await client.post("/v1/transactions", json=hold, headers=h)
    during = await balance(client, h, alice)
    posted = await client.post(
        f"/v1/transactions/{hold['id']}/post", json={"amount": "25.00"}, headers=h
    )
    again = await client.post(f"/v1/transactions/{hold['id']}/void", headers=h)

    assert placed.status_code == 201
    assert during == {**during, "posted": "100.00", "available": "60.00"}
    assert posted.status_code == 201, posted.text
    assert posted.json()["kind"] == "post_hold"
    assert (await balance(client, h, alice))["available"] == "75.00"
    assert (await balance(client, h, bob))["posted"] == "25.00"
    assert again.json()["type"] == "urn:finfleet:problem:hold-already-resolved"


async def test_posting_more_than_the_hold_is_refused(client, h, alice_and_bob):
    alice, bob = alice_and_bob
    hold = transfer(alice, bob, "10.00", mode="pending")
    await client.post("/v1/transactions", json=hold, headers=h)

    response = await client.post(
        f"/v1/transactions/{hold['id']}/post", json={"amount": "10.01"}, headers=h
    )

    assert response.json()["type"] == "urn:finfleet:problem:amount-above-hold"


async def test_expired_hold_cannot_be_posted(client, h, alice_and_bob):
    alice, bob = alice_and_bob
    soon = datetime.now(UTC) + timedelta(seconds=1.5)
    hold = transfer(alice, bob, "10.00", mode="pending", expires_at=soon.isoformat())
    placed = await client.post("/v1/transactions", json=hold, headers=h)
    import asyncio

    await asyncio.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
    response = await client.post(f"/v1/transactions/{hold['id']}/post", headers=h)

    assert placed.status_code == 201, placed.text
    assert response.json()["type"] == "urn:finfleet:problem:hold-expired"


async def test_a_hold_that_would_already_be_expired_is_refused(client, h, alice_and_bob):
    alice, bob = alice_and_bob
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()

    response = await client.post(
        "/v1/transactions",
        json=transfer(alice, bob, "1.00", mode="pending", expires_at=past),
        headers=h,
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:finfleet:problem:invalid-expiry"


async def test_reversal_mirrors_and_nets_to_zero(client, h, alice_and_bob):
    alice, bob = alice_and_bob
    body = transfer(alice, bob, "12.34")
    await client.post("/v1/transactions", json=body, headers=h)

    reversal = await client.post(f"/v1/transactions/{body['id']}/reverse", headers=h)
    twice = await client.post(f"/v1/transactions/{body['id']}/reverse", headers=h)

    assert reversal.status_code == 201
    assert reversal.json()["target_id"] == body["id"]
    assert twice.status_code == 200  # the same reversal, replayed
    assert (await balance(client, h, alice))["posted"] == "100.00"
    assert (await balance(client, h, bob))["posted"] == "0.00"


async def test_version_condition_gives_optimistic_locking(client, h, alice_and_bob):
    alice, bob = alice_and_bob
    version = (await balance(client, h, alice))["version"]
    ok = transfer(alice, bob, "1.00", conditions=[{"account_id": alice, "version": version}])
    stale = transfer(alice, bob, "1.00", conditions=[{"account_id": alice, "version": version}])

    first = await client.post("/v1/transactions", json=ok, headers=h)
    second = await client.post("/v1/transactions", json=stale, headers=h)

    assert first.status_code == 201
    assert second.json()["type"] == "urn:finfleet:problem:condition-failed"


async def test_balance_as_of_a_past_time(client, h, alice_and_bob):
    alice, bob = alice_and_bob
    before = (await client.get(f"/v1/accounts/{alice}/entries", headers=h)).json()["items"][-1]
    await client.post("/v1/transactions", json=transfer(alice, bob, "60.00"), headers=h)

    past = await balance(client, h, alice, as_of=before["committed_at"])
    now = await balance(client, h, alice)

    assert (past["posted"], now["posted"]) == ("100.00", "40.00")


async def test_batch_applies_items_independently_and_linked_groups_together(
    client, h, alice_and_bob
):
    alice, bob = alice_and_bob
    items = [
        transfer(alice, bob, "10.00"),
        transfer(alice, bob, "1000.00"),  # refused alone
        {**transfer(alice, bob, "5.00"), "group": "g"},
        {**transfer(alice, bob, "999.00"), "group": "g"},  # takes its group down
    ]

    response = await client.post("/v1/transactions/batch", json={"transactions": items}, headers=h)

    result = response.json()
    assert [r["status"] for r in result["results"]] == ["created", "refused", "refused", "refused"]
    assert result["results"][2]["problem"]["type"] == "urn:finfleet:problem:linked-failed"
    assert (await balance(client, h, alice))["posted"] == "90.00"


async def test_withdrawal_beyond_the_balance_is_refused(client, h, alice_and_bob):
    alice, _ = alice_and_bob
    body = {"id": str(uuid.uuid4()), "account_id": alice, "amount": "100.01"}

    response = await client.post("/v1/withdrawals", json=body, headers=h)

    assert response.status_code == 409
    assert response.json()["type"] == "urn:finfleet:problem:insufficient-funds"


async def test_viewer_cannot_post(client, auth_headers, alice_and_bob):
    alice, bob = alice_and_bob
    viewer = auth_headers(tenant_id="acme", roles=frozenset({"viewer"}))

    response = await client.post(
        "/v1/transactions", json=transfer(alice, bob, "1.00"), headers=viewer
    )

    assert response.status_code == 403


async def test_only_an_empty_account_closes_and_then_refuses_postings(client, h, alice_and_bob):
    alice, bob = alice_and_bob

    refused = await client.post(f"/v1/accounts/{alice}/close", headers=h)
    closed = await client.post(f"/v1/accounts/{bob}/close", headers=h)
    posting = await client.post("/v1/transactions", json=transfer(alice, bob, "1.00"), headers=h)

    assert refused.json()["type"] == "urn:finfleet:problem:account-not-empty"
    assert closed.status_code == 200
    assert closed.json()["closed"] is True
    assert posting.json()["type"] == "urn:finfleet:problem:account-closed"


async def test_transactions_of_an_account_page_in_commit_order(client, h, alice_and_bob):
    alice, bob = alice_and_bob
    sent = [transfer(alice, bob, f"{n}.00") for n in range(1, 6)]
    for body in sent:
        assert (await client.post("/v1/transactions", json=body, headers=h)).status_code == 201

    seen, cursor = [], None
    while True:
        params = {"account": bob, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/transactions", params=params, headers=h)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [body["id"] for body in sent]


async def test_accounts_filter_by_name_prefix_and_page(client, h, usd):
    for n in range(3):
        await open_account(client, h, f"tenant:acme/user:{n}/cash")
    await open_account(client, h, "tenant:acme/house/fees")

    first = (
        await client.get(
            "/v1/accounts", params={"name_prefix": "tenant:acme/user:", "limit": 2}, headers=h
        )
    ).json()
    rest = (
        await client.get(
            "/v1/accounts",
            params={"name_prefix": "tenant:acme/user:", "cursor": first["next_cursor"]},
            headers=h,
        )
    ).json()

    names = sorted(a["name"] for a in first["items"] + rest["items"])
    assert names == [f"tenant:acme/user:{n}/cash" for n in range(3)]
    assert rest["next_cursor"] is None


async def test_a_forged_cursor_is_a_400_problem(client, h):
    response = await client.get("/v1/transactions", params={"cursor": "!!!"}, headers=h)

    assert response.status_code == 400
    assert response.json()["type"] == "urn:finfleet:problem:invalid-cursor"


async def test_ledger_events_are_written_with_the_posting(client, h, alice_and_bob, engine):
    from sqlalchemy import text

    alice, bob = alice_and_bob
    hold = transfer(alice, bob, "3.00", mode="pending")
    await client.post("/v1/transactions", json=hold, headers=h)
    await client.post(f"/v1/transactions/{hold['id']}/void", headers=h)

    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text("SELECT type, envelope->'payload' AS payload FROM outbox ORDER BY id")
            )
        ).all()
    types = [row.type for row in rows]
    assert types[-2:] == ["ledger.hold.created", "ledger.hold.voided"]
    created = rows[-2].payload
    assert created["lines"][0] == {
        "account_id": alice,
        "side": "debit",
        "amount": "3.00",
        "asset": "USD/2",
    }
    assert created["committed_at"] is not None


async def test_amounts_in_non_ascii_digits_are_refused(client, h, alice_and_bob):
    alice, bob = alice_and_bob

    response = await client.post(
        "/v1/transactions", json=transfer(alice, bob, "\u0661\u0662.\u0665\u0660"), headers=h
    )

    assert response.status_code == 422
