"""The kit's ledger client against the real ledger app (in-process, its own database)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from fleetkit.http_client import DownstreamClient
from fleetkit.internal_jwt import TokenMinter
from fleetkit.ledger_client import (
    HoldAlreadyResolved,
    InsufficientFunds,
    LedgerClient,
    LedgerLine,
    LedgerNotFound,
    transaction_id_for,
    wire_amount,
)
from fleetkit.testing.plugin import truncate_all

TENANT = "acme"


@pytest.fixture
async def ledger(test_resources, fleet_keys, redis, bus):
    from ledger_service.main import create_app

    app = create_app(test_resources.settings("ledger_service"))
    downstream = DownstreamClient(
        "equity", "ledger", "http://ledger", transport=httpx.ASGITransport(app=app)
    )
    client = LedgerClient(downstream, TokenMinter("equity", fleet_keys.seeds["equity"]))
    yield client
    await client.aclose()
    await app.state.redis.aclose()
    await app.state.bus.aclose()
    await app.state.engine.dispose()
    await truncate_all(test_resources.engine("ledger_service"))


async def two_accounts(ledger: LedgerClient) -> tuple[uuid.UUID, uuid.UUID]:
    await ledger.ensure_asset(TENANT, "USD/2")
    source, sink = uuid.uuid4(), uuid.uuid4()
    await ledger.open_account(
        TENANT, source, "t/source", "USD/2", normal_side="debit", no_overdraft=False
    )
    await ledger.open_account(TENANT, sink, "t/sink", "USD/2")
    return source, sink


def transfer(source, sink, amount):
    return [
        LedgerLine(source, "debit", Decimal(amount)),
        LedgerLine(sink, "credit", Decimal(amount)),
    ]


async def test_service_identity_may_post_and_read_for_the_tenant(ledger):
    source, sink = await two_accounts(ledger)

    await ledger.create_transaction(TENANT, uuid.uuid4(), transfer(source, sink, "12.50"))

    assert (await ledger.balance(TENANT, sink)).posted == Decimal("12.50")


async def test_the_same_transaction_id_posts_once(ledger):
    source, sink = await two_accounts(ledger)
    fill = transaction_id_for(uuid.uuid4(), "fill", 1)

    await ledger.create_transaction(TENANT, fill, transfer(source, sink, "5.00"))
    await ledger.create_transaction(TENANT, fill, transfer(source, sink, "5.00"))

    assert (await ledger.balance(TENANT, sink)).posted == Decimal("5.00")


async def test_a_refused_hold_raises_the_typed_refusal(ledger):
    source, sink = await two_accounts(ledger)

    with pytest.raises(InsufficientFunds) as refused:
        await ledger.create_transaction(
            TENANT, uuid.uuid4(), transfer(sink, source, "1.00"), mode="pending"
        )
    assert refused.value.kind == "insufficient-funds"


async def test_hold_posted_in_part_releases_the_rest_and_cannot_be_voided(ledger):
    source, sink = await two_accounts(ledger)
    hold = uuid.uuid4()
    await ledger.create_transaction(TENANT, hold, transfer(source, sink, "10.00"), mode="pending")

    await ledger.post_hold(TENANT, hold, Decimal("4.00"))

    balance = await ledger.balance(TENANT, sink)
    assert (balance.posted, balance.pending) == (Decimal("4.00"), Decimal("4.00"))
    with pytest.raises(HoldAlreadyResolved):
        await ledger.void_hold(TENANT, hold)


async def test_another_tenants_account_is_not_found(ledger):
    source, _ = await two_accounts(ledger)

    with pytest.raises(LedgerNotFound):
        await ledger.get_account("globex", source)


@pytest.mark.parametrize("amount", [Decimal(0), Decimal("-1")])
def test_amounts_on_the_wire_are_positive_plain_digits(amount):
    assert wire_amount(Decimal("1E+2")) == "100"
    with pytest.raises(ValueError, match="positive"):
        wire_amount(amount)
