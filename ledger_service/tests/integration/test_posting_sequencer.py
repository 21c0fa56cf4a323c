"""Group commit: single requests that arrive together share a round, each decided alone.

Requests are handed to the app's sequencer from tasks started together, so they are all
queued before its first round starts (asyncio runs ready tasks in order): one round.
"""

import asyncio

import pytest
from sqlalchemy import text

from fleetkit.request_context import request_id_var
from ledger_service.tests.integration.test_posting_api import (
    balance,
    deposit,
    open_account,
    transfer,
)
from ledger_service.transactions import service
from ledger_service.transactions.schemas import TransactionCreate


@pytest.fixture
def h(auth_headers):
    return auth_headers(tenant_id="acme", roles=frozenset({"owner"}))


@pytest.fixture
async def alice_and_bob(client, h):
    assert (await client.post("/v1/assets", json={"asset": "USD/2"}, headers=h)).is_success
    alice = await open_account(client, h, "alice/cash", debits_must_not_exceed_credits=True)
    bob = await open_account(client, h, "bob/cash", debits_must_not_exceed_credits=True)
    await deposit(client, h, alice, "100.00")
    return alice, bob


async def post_together(app, *bodies, tenant="acme"):
    """Post every body through the app's sequencer at once; each from its own request id."""
    sequencer = app.state.posting_sequencer

    async def one(number, body):
        request_id_var.set(f"request-{number}")
        return await sequencer.post(tenant, TransactionCreate.model_validate(body))

    return await asyncio.gather(*(one(n, b) for n, b in enumerate(bodies)), return_exceptions=True)


async def test_requests_in_one_round_are_decided_in_order_each_on_its_own(
    app, client, h, alice_and_bob
):
    alice, bob = alice_and_bob

    first, overdraft, back = await post_together(
        app,
        transfer(alice, bob, "60.00"),
        transfer(alice, bob, "60.00"),
        transfer(bob, alice, "10.00"),
    )

    assert [p.outcome.status for p in (first, overdraft, back)] == ["created", "refused", "created"]
    assert overdraft.outcome.refusal.kind == "insufficient-funds"
    assert first.applied is back.applied  # one round: one lock, one write, one commit
    assert (await balance(client, h, alice))["posted"] == "50.00"
    assert (await balance(client, h, bob))["posted"] == "50.00"


async def test_twins_in_one_round_are_one_posting_and_a_reused_id_is_refused(
    app, client, h, alice_and_bob
):
    alice, bob = alice_and_bob
    body = transfer(alice, bob, "10.00")
    other_body = {**body, "metadata": {"note": "not the same request"}}

    original, twin, reused = await post_together(app, body, body, other_body)

    assert [p.outcome.status for p in (original, twin, reused)] == [
        "created",
        "existing",
        "refused",
    ]
    assert reused.outcome.refusal.kind == "transaction-id-reused"
    assert (await balance(client, h, alice))["posted"] == "90.00"
    answer = await client.post("/v1/transactions", json=body, headers=h)
    assert answer.status_code == 200, answer.text


async def test_each_event_carries_the_correlation_of_its_own_request(
    app, client, h, alice_and_bob, committed
):
    alice, bob = alice_and_bob
    bodies = [transfer(alice, bob, "1.00") for _ in range(3)]

    posted = await post_together(app, *bodies)

    assert len({id(p.applied) for p in posted}) == 1
    async with committed.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT envelope->'payload'->>'transaction_id', envelope->>'correlation_id' "
                "FROM outbox WHERE type = 'ledger.transaction.posted' "
                "AND envelope->'payload'->>'kind' = 'posted'"
            )
        )
        correlation = {k: v for k, v in rows.all() if k in {b["id"] for b in bodies}}
    assert correlation == {b["id"]: f"request-{n}" for n, b in enumerate(bodies)}


async def test_a_round_that_fails_unexpectedly_fails_only_the_request_that_broke_it(
    app, client, h, alice_and_bob, monkeypatch
):
    alice, bob = alice_and_bob
    poison = transfer(alice, bob, "5.00")
    real_create = service.create_transactions

    async def breaks_on_poison(session, tenant_id, requests, **options):
        if any(str(r.id) == poison["id"] for r in requests):
            raise RuntimeError("a bug no refusal covers")
        return await real_create(session, tenant_id, requests, **options)

    monkeypatch.setattr(service, "create_transactions", breaks_on_poison)

    before, broken, after = await post_together(
        app, transfer(alice, bob, "1.00"), poison, transfer(alice, bob, "2.00")
    )

    assert isinstance(broken, RuntimeError)
    assert (before.outcome.status, after.outcome.status) == ("created", "created")
    assert (await balance(client, h, alice))["posted"] == "97.00"


async def test_tenants_in_one_round_never_see_each_others_accounts(
    app, client, h, auth_headers, alice_and_bob
):
    alice, bob = alice_and_bob
    globex = auth_headers(tenant_id="globex", roles=frozenset({"owner"}))
    mallory = await open_account(client, globex, "mallory/cash")

    ours, theirs = await post_together(
        app, transfer(alice, bob, "1.00"), transfer(alice, mallory, "1.00")
    )
    stolen = await post_together(app, transfer(alice, mallory, "1.00"), tenant="globex")

    assert ours.outcome.status == "created"
    assert theirs.outcome.refusal.kind == "unknown-account"
    assert stolen[0].outcome.refusal.kind == "unknown-account"
    assert (await balance(client, h, alice))["posted"] == "99.00"
