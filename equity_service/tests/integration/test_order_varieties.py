"""More order shapes against the real ledger: fees, sells against the quote, notional, gtd,
stop-limit, and a ledger that cannot be reached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from equity_service.books.accounts import fee_account, user_book
from equity_service.books.service import LedgerBooks
from equity_service.orders.tasks import expire_due_orders
from fleetkit.circuit_breaker import CircuitBreaker
from fleetkit.http_client import DownstreamClient
from fleetkit.internal_jwt import TokenMinter
from fleetkit.ledger_client import LedgerClient

D = Decimal


def order(account_id, **fields):
    body = {
        "client_order_id": "v-1",
        "account_id": str(account_id),
        "symbol": "ACME",
        "side": "buy",
        "time_in_force": "gtc",
        **fields,
    }
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def fees_settings(settings):
    return settings.model_copy(update={"fee_bps": D(25)})


async def test_commission_is_reserved_charged_to_the_fee_account_and_the_rest_released(
    equity, equity_app, market, books, books_clean, fees_settings
):
    equity_app.state.settings = fees_settings
    await market.list()
    alice = await books.user("alice", cash="2000.00")
    await market.quote("ACME", "99.00", "99.50", size="3")

    placed = (
        await equity.post(
            "/v1/orders",
            json=order(alice, type="limit", qty="10", limit_price="100.00", time_in_force="ioc"),
        )
    ).json()
    await market.settle()

    # reserved 1000.00 + 2.50 fee; filled 3 at 99.50 = 298.50, fee 0.75 (25 bps, half-even)
    assert placed["reserved"] == "1002.5"
    assert (await books.balance(alice))["posted"] == D("2000.00") - D("298.50") - D("0.75")
    assert (await books.balance(fee_account("acme", "USD/2").id))["posted"] == D("0.75")
    await books_clean()


async def test_sell_against_the_bid_pays_the_seller(equity, market, books, books_clean):
    await market.list()
    alice = await books.user("alice", cash="2000.00")
    await market.quote("ACME", "99.00", "99.50")
    await equity.post("/v1/orders", json=order(alice, type="market", qty="10", time_in_force="day"))
    await market.settle()

    sold = (
        await equity.post(
            "/v1/orders",
            json=order(
                alice,
                client_order_id="v-2",
                side="sell",
                type="market",
                qty="4",
                time_in_force="day",
            ),
        )
    ).json()
    await market.settle()

    assert sold["status"] == "filled"
    shares = user_book("acme", alice, "ACME").shares.id
    assert (await books.balance(shares))["posted"] == D(6)
    assert (await books.balance(alice))["posted"] == D("2000.00") - D("995.00") + D("396.00")
    await books_clean()


async def test_notional_buy_gets_fractional_shares_for_at_most_the_notional(
    equity, market, books, books_clean
):
    await market.list()
    alice = await books.user("alice", cash="500.00")
    await market.quote("ACME", "299.00", "300.00")

    placed = (
        await equity.post(
            "/v1/orders", json=order(alice, type="market", notional="100.00", time_in_force="day")
        )
    ).json()
    await market.settle()

    assert (placed["status"], placed["qty"]) == ("filled", "0.333333333")
    shares = user_book("acme", alice, "ACME").shares.id
    assert (await books.balance(shares))["posted"] == D("0.333333333")
    assert (await books.balance(alice))["posted"] == D("500.00") - D("100.00")
    await books_clean()


async def test_gtd_order_expires_at_its_expire_at(equity, equity_app, market, books, books_clean):
    await market.list()
    alice = await books.user("alice", cash="2000.00")
    await market.quote("ACME", "101.00", "101.50")
    expire_at = datetime.now(UTC) + timedelta(days=3)
    placed = (
        await equity.post(
            "/v1/orders",
            json=order(
                alice,
                type="limit",
                qty="5",
                limit_price="100.00",
                time_in_force="gtd",
                expire_at=expire_at.isoformat(),
            ),
        )
    ).json()

    assert await expire_due_orders(equity_app.state.engine, expire_at + timedelta(seconds=1)) == 1
    await market.settle()

    assert (await equity.get(f"/v1/orders/{placed['id']}")).json()["status"] == "expired"
    await books_clean()


async def test_stop_limit_sell_triggers_then_rests_at_its_limit(equity, market, books):
    await market.list()
    alice = await books.user("alice", cash="2000.00")
    await market.quote("ACME", "99.00", "99.50")
    await equity.post("/v1/orders", json=order(alice, type="market", qty="10", time_in_force="day"))
    await market.settle()
    placed = (
        await equity.post(
            "/v1/orders",
            json=order(
                alice,
                client_order_id="v-2",
                side="sell",
                type="stop_limit",
                qty="10",
                stop_price="95.00",
                limit_price="94.00",
            ),
        )
    ).json()

    await market.quote("ACME", "93.00", "93.50")  # triggered, but the bid is below the limit
    assert (await equity.get(f"/v1/orders/{placed['id']}")).json()["filled_qty"] == "0"
    await market.quote("ACME", "94.00", "94.50")

    assert (await equity.get(f"/v1/orders/{placed['id']}")).json()["status"] == "filled"


async def test_unreachable_ledger_answers_503_and_writes_no_order(
    equity_app, fleet_keys, market, auth_headers, books
):
    await market.list()
    await market.quote("ACME", "99.00", "99.50")
    alice = await books.user("alice", cash="2000.00")

    # Nothing listens on port 1; the breaker is this test's own, so others are not tripped.
    downstream = DownstreamClient(
        "equity",
        "ledger",
        "http://127.0.0.1:1",
        breaker=CircuitBreaker("equity", "ledger-down"),
        backoff_base=0.01,
    )
    minter = TokenMinter("equity", fleet_keys.seeds["equity"])
    equity_app.state.books = LedgerBooks(LedgerClient(downstream, minter))
    transport = httpx.ASGITransport(app=equity_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://equity") as client:
        response = await client.post(
            "/v1/orders",
            json=order(alice, type="market", qty="1"),
            headers=auth_headers(tenant_id="acme"),
        )
        listed = await client.get(
            "/v1/orders", params={"status": "all"}, headers=auth_headers(tenant_id="acme")
        )

    assert response.status_code == 503
    assert response.json()["type"] == "urn:finfleet:problem:downstream-unavailable"
    assert listed.json()["items"] == []


class AnswerLost(httpx.AsyncBaseTransport):
    """The real ledger behind a link that drops the answer to every new transaction: the
    ledger did place the hold, the caller never hears so."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path == "/v1/transactions":
            await response.aread()
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


async def test_hold_in_doubt_rejects_the_order_and_the_worker_voids_it(
    equity, equity_app, ledger_app, fleet_keys, market, books, books_clean
):
    await market.list()
    await market.quote("ACME", "99.00", "99.50")
    alice = await books.user("alice", cash="2000.00")
    working_books = equity_app.state.books
    lossy = DownstreamClient(
        "equity",
        "ledger",
        "http://ledger",
        max_retries=0,
        breaker=CircuitBreaker("equity", "ledger-lossy"),
        transport=AnswerLost(httpx.ASGITransport(app=ledger_app)),
    )
    equity_app.state.books = LedgerBooks(
        LedgerClient(lossy, TokenMinter("equity", fleet_keys.seeds["equity"]))
    )

    placed = (
        await equity.post(
            "/v1/orders", json=order(alice, type="limit", qty="5", limit_price="99.00")
        )
    ).json()
    assert (placed["status"], placed["reject_reason"]) == ("rejected", "ledger-unavailable")
    assert (await books.balance(alice))["available"] == D("1505.00")  # the hold is there

    equity_app.state.books = working_books
    await market.settle()

    assert (await books.balance(alice))["available"] == D("2000.00")
    await books_clean()
