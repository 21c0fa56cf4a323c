"""The audit chain on real Postgres: linking, verification, tampering, append-only tables."""

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from fleetkit.db import driver_connection, make_sessionmaker
from ledger_service.audit.chain import (
    GENESIS,
    ChainedLine,
    ChainedTransaction,
    canonical_text,
    link_hash,
)
from ledger_service.audit.repository import chained_transactions
from ledger_service.audit.service import link_pending_transactions

ACCOUNT = uuid.UUID("01900000-0000-7000-8000-00000000000a")
OTHER = uuid.UUID("01900000-0000-7000-8000-00000000000b")
TX = uuid.UUID("01900000-0000-7000-8000-000000000001")


def hand_made(tenant="acme", metadata='{"b": 1.50, "a": "é"}'):
    at = datetime(2025, 1, 31, 9, 15, 0, 120000, tzinfo=UTC)
    return ChainedTransaction(
        TX, tenant, "posted", None, at, at, None, metadata,
        (ChainedLine(2, OTHER, "credit", 1250), ChainedLine(1, ACCOUNT, "debit", 1250)),
    )  # fmt: skip


def test_canonical_text_is_the_documented_layout():
    assert canonical_text(hand_made()) == (
        "01900000-0000-7000-8000-000000000001\n"
        '"acme"\n'
        "posted\n"
        "-\n"
        "2025-01-31T09:15:00.120000Z\n"
        "2025-01-31T09:15:00.120000Z\n"
        "-\n"
        '{"a":"\\u00e9","b":1.50}\n'
        "1:01900000-0000-7000-8000-00000000000a:debit:1250\n"
        "2:01900000-0000-7000-8000-00000000000b:credit:1250"
    )


def test_link_hash_is_sha256_of_previous_hash_and_texts():
    expected = hashlib.sha256(
        (GENESIS + "\n" + canonical_text(hand_made()) + "\n" + canonical_text(hand_made("x")))
        .encode()
    ).hexdigest()  # fmt: skip

    assert link_hash(GENESIS, [hand_made(), hand_made("x")]) == expected


def test_a_newline_in_a_tenant_cannot_pass_for_a_field_boundary():
    forged = hand_made(tenant='acme"\nposted')

    assert canonical_text(forged).split("\n")[1] == '"acme\\"\\nposted"'


@pytest.fixture
def h(auth_headers):
    return auth_headers(tenant_id="acme", roles=frozenset({"owner"}))


async def open_funded_accounts(client, headers, tenant):
    await client.post("/v1/assets", json={"asset": "USD/2"}, headers=headers)
    ids = []
    for name in ("alice", "bob"):
        body = {"name": f"tenant:{tenant}/{name}", "asset": "USD/2"}
        response = await client.post("/v1/accounts", json=body, headers=headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    deposit = {"id": str(uuid.uuid4()), "account_id": ids[0], "amount": "100.00"}
    assert (await client.post("/v1/deposits", json=deposit, headers=headers)).status_code == 201
    return ids


async def post_transfers(client, headers, accounts, count):
    for _ in range(count):
        body = {
            "id": str(uuid.uuid4()),
            "lines": [
                {"account_id": accounts[0], "side": "debit", "amount": "1.00"},
                {"account_id": accounts[1], "side": "credit", "amount": "1.00"},
            ],
            "metadata": {"note": "multi\nline", "rate": 1.25},
        }
        response = await client.post("/v1/transactions", json=body, headers=headers)
        assert response.status_code == 201, response.text


async def link(client, headers):
    response = await client.post("/v1/audit/link", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["linked"]


async def verify(client, headers):
    response = await client.get("/v1/audit/verify", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def tamper(engine, table, statement):
    """What a superuser could do: switch the append-only trigger off around an UPDATE."""
    async with engine.begin() as connection:
        await connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        await connection.execute(text(statement))
        await connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only"))


@pytest.fixture
async def two_links(client, h, committed):
    """Two links: the deposit and two transfers, then three more transfers."""
    accounts = await open_funded_accounts(client, h, "acme")
    await post_transfers(client, h, accounts, 2)
    assert await link(client, h) == 3
    await post_transfers(client, h, accounts, 3)
    assert await link(client, h) == 3
    async with committed.connect() as connection:
        rows = await connection.execute(text("SELECT * FROM audit_links ORDER BY seq"))
        return rows.mappings().all()


async def test_linked_transactions_verify(client, h, two_links):
    first, second = two_links

    assert await link(client, h) == 0
    assert await verify(client, h) == {
        "verified": True, "links": 2, "transactions": 6, "first_broken_link": None, "reason": None
    }  # fmt: skip
    assert first["previous_hash"] == GENESIS
    assert second["previous_hash"] == first["hash"]


async def test_queued_but_unlinked_transactions_do_not_break_verification(client, h, two_links):
    await post_transfers(client, h, await open_funded_accounts(client, h, "acme2"), 1)

    assert (await verify(client, h))["verified"] is True


async def test_a_tampered_line_amount_is_caught_at_its_link(client, h, committed, two_links):
    victim = two_links[1]["transaction_ids"][1]
    await tamper(
        committed,
        "transaction_lines",
        f"UPDATE transaction_lines SET amount = amount + 1 WHERE transaction_id = '{victim}'",
    )

    report = await verify(client, h)

    assert report["verified"] is False
    assert report["first_broken_link"] == two_links[1]["seq"]
    assert report["links"] == 1
    assert "hash differs" in report["reason"]


async def test_a_rewritten_link_hash_is_caught(client, h, committed, two_links):
    await tamper(committed, "audit_links", "UPDATE audit_links SET hash = repeat('f', 64)")

    report = await verify(client, h)

    assert (report["verified"], report["first_broken_link"]) == (False, two_links[0]["seq"])


async def test_rehashing_a_tampered_link_is_caught_by_the_next_one(client, h, committed, two_links):
    first = two_links[0]
    await tamper(
        committed,
        "transaction_lines",
        "UPDATE transaction_lines SET amount = 1 "
        f"WHERE transaction_id = '{first['transaction_ids'][0]}'",
    )
    async with make_sessionmaker(committed)() as session:
        stored = await chained_transactions(
            await driver_connection(session), first["transaction_ids"]
        )
    forged = link_hash(GENESIS, [stored[i] for i in first["transaction_ids"]])
    await tamper(
        committed,
        "audit_links",
        f"UPDATE audit_links SET hash = '{forged}' WHERE seq = {first['seq']}",
    )

    report = await verify(client, h)

    assert report["first_broken_link"] == two_links[1]["seq"]
    assert "does not continue the chain" in report["reason"]


async def test_a_deleted_last_link_is_caught_by_the_census(client, h, committed, two_links):
    await tamper(
        committed, "audit_links", f"DELETE FROM audit_links WHERE seq = {two_links[1]['seq']}"
    )

    report = await verify(client, h)

    assert (report["verified"], report["links"], report["first_broken_link"]) == (False, 1, None)
    assert "the book holds 6 transactions but the chain names 3" in report["reason"]


@pytest.mark.parametrize("table", ["transactions", "transaction_lines", "entries", "audit_links"])
@pytest.mark.parametrize(
    "change", ["UPDATE {table} SET {column} = {column}", "DELETE FROM {table}"]
)
async def test_the_database_refuses_to_change_the_book(committed, two_links, table, change):
    column = "transaction_ids" if table == "audit_links" else "transaction_id"
    column = "id" if table == "transactions" else column

    with pytest.raises(DBAPIError, match=f"{table} is append-only"):
        async with committed.begin() as connection:
            await connection.execute(text(change.format(table=table, column=column)))


async def test_verification_counts_only_the_callers_transactions(client, h, auth_headers):
    globex = auth_headers(tenant_id="globex", roles=frozenset({"owner"}))
    await post_transfers(client, h, await open_funded_accounts(client, h, "acme"), 1)
    await post_transfers(client, globex, await open_funded_accounts(client, globex, "globex"), 3)
    assert await link(client, h) == 6

    mine, theirs = await verify(client, h), await verify(client, globex)

    assert (mine["links"], mine["transactions"]) == (1, 2)
    assert (theirs["links"], theirs["transactions"]) == (1, 4)
    assert set(mine) == {"verified", "links", "transactions", "first_broken_link", "reason"}


async def test_a_viewer_may_verify_but_not_link(client, auth_headers):
    viewer = auth_headers(tenant_id="acme", roles=frozenset({"viewer"}))

    assert (await client.get("/v1/audit/verify", headers=viewer)).status_code == 200
    assert (await client.post("/v1/audit/link", headers=viewer)).status_code == 403


async def test_concurrent_chainers_take_turns_and_link_each_transaction_once(client, h, committed):
    await post_transfers(client, h, await open_funded_accounts(client, h, "acme"), 6)
    sessionmaker = make_sessionmaker(committed)

    async def chain_two() -> int:
        async with sessionmaker() as session, session.begin():
            return await link_pending_transactions(session, limit=2)

    linked = await asyncio.gather(*(chain_two() for _ in range(4)))

    assert sorted(linked) == [1, 2, 2, 2]
    assert await verify(client, h) == {
        "verified": True, "links": 4, "transactions": 7, "first_broken_link": None, "reason": None
    }  # fmt: skip
