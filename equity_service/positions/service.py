"""Positions: the ledger's share balances, valued at the quote, with their cost basis."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.books.accounts import user_book
from equity_service.books.service import LedgerBooks
from equity_service.domain.lots import Method, cost_basis
from equity_service.domain.money import EXACT
from equity_service.instruments import repository as instruments
from equity_service.market_data import repository as market_data
from equity_service.positions import repository
from equity_service.positions.schemas import PositionPublic
from fleetkit.ledger_client import LedgerNotFound

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """Shown P&L and cost: to the cent, half-even (kept exact underneath)."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


async def _balance(
    books: LedgerBooks, tenant: str, account_id: uuid.UUID
) -> tuple[Decimal, Decimal]:
    try:
        balance = await books.client.balance(tenant, account_id)
    except LedgerNotFound:
        return Decimal(0), Decimal(0)
    return balance.posted, balance.available


async def positions(
    session: AsyncSession,
    books: LedgerBooks,
    tenant_id: str,
    account_id: uuid.UUID,
    method: Method,
) -> list[PositionPublic]:
    """Every instrument the user (cash account `account_id`) traded."""
    found = []
    for symbol in await repository.traded_symbols(session, tenant_id, account_id):
        book = user_book(tenant_id, account_id, symbol)
        free, available = await _balance(books, tenant_id, book.shares.id)
        reserved, _ = await _balance(books, tenant_id, book.shares_reserve.id)
        basis = cost_basis(await repository.history(session, tenant_id, account_id, symbol), method)
        instrument = await instruments.by_symbol(session, symbol)
        quote = (
            None if instrument is None else await market_data.latest_quote(session, instrument.id)
        )
        mark = None if quote is None else (quote.bid + quote.ask) / 2
        found.append(
            PositionPublic(
                symbol=symbol,
                qty=free + reserved,
                qty_available=available,
                cost_basis_method=method,
                cost_basis=cents(basis.cost),
                avg_entry_price=cents(EXACT.divide(basis.cost, basis.qty)) if basis.qty else None,
                mark_price=mark,
                market_value=None if mark is None else cents(EXACT.multiply(basis.qty, mark)),
                unrealized_pl=None if mark is None else cents(basis.unrealised(mark)),
                realized_pl=cents(basis.realised),
            )
        )
    return found
