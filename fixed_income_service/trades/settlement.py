"""Settling pending trades on their settlement date: the same delivery-versus-payment ledger
transaction a same-day trade posts, under the id the trade was booked with, exactly once.

Each trade is locked while it settles; the ledger is posted under its deterministic id, then
the trade is marked settled and its event written in the same database transaction. A run
killed after the ledger answered leaves the trade pending; the next run posts the same id,
which the ledger answers with the original. Not enough cash or face on the settlement date
fails the trade (`status: failed`, with the ledger's reason); nothing is posted.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fixed_income_service.books.accounts import face_account, street_account
from fixed_income_service.books.lines import dvp_lines
from fixed_income_service.books.service import BondBooks
from fixed_income_service.trades import repository
from fixed_income_service.trades.events import TRADE_SETTLED, publish
from fixed_income_service.trades.service import public
from fleetkit.db import driver_connection, make_sessionmaker
from fleetkit.ledger_client import LedgerRefusal


async def settle_due(engine: AsyncEngine, books: BondBooks, today: date) -> int:
    """Settle every pending trade whose settlement date is `today` or before, each in its own
    transaction; returns how many settled (failed ones are not counted)."""
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        due = await repository.pending_due(await driver_connection(session), today)
    settled = 0
    for trade in due:
        async with sessionmaker() as session, session.begin():
            settled += await settle_one(session, books, trade["id"])
    return settled


async def settle_one(session: AsyncSession, books: BondBooks, trade_id: uuid.UUID) -> bool:
    """Settle one pending trade; False if it is no longer pending or the ledger refused it."""
    conn = await driver_connection(session)
    trade = await repository.lock_pending(conn, trade_id)
    if trade is None:
        return False
    tenant = trade["tenant_id"]
    try:
        await books.post(tenant, trade["ledger_transaction_id"], await _lines(books, trade), {
            "client_trade_id": trade["client_trade_id"], "bond_id": str(trade["bond_id"]),
            "side": trade["side"], "settlement_date": trade["settlement_date"].isoformat(),
        })  # fmt: skip
    except LedgerRefusal as refused:
        await repository.close_trade(conn, trade_id, "failed", f"{refused.kind}: {refused.detail}")
        return False
    row = await repository.close_trade(conn, trade_id, "settled", None)
    publish(session, TRADE_SETTLED, tenant, public(row).model_dump(mode="json"))
    return True


async def _lines(books: BondBooks, trade: Any) -> list[Any]:
    tenant = trade["tenant_id"]
    cash = await books.cash_account(tenant, trade["account_id"])
    holding = face_account(tenant, cash.id, trade["face_asset"], cash.name)
    street_cash = street_account(tenant, trade["cash_asset"])
    street_face = street_account(tenant, trade["face_asset"])
    await books.open(tenant, [holding, street_cash, street_face])
    return dvp_lines(
        trade["side"], cash.id, holding.id, street_cash.id, street_face.id,
        trade["cash_amount"], trade["face_amount"],
    )  # fmt: skip
