"""Booking a bond trade: price it at the dirty price, settle it in the ledger as one
delivery-versus-payment transaction, then record it and its event. A trade with a trade date
whose settlement date is ahead is recorded pending; beat settles it then (`settlement.py`).

The ledger is posted first, under a transaction id derived from the tenant and the client's
trade id; the trade row and its outbox event are written after, in the request's transaction.
A request that dies in between is retried with the same `client_trade_id`: the ledger answers
the same id with the original transaction, so the trade settles once.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fixed_income_service.bonds.schemas import BondPublic
from fixed_income_service.bonds.service import domain_terms, get_bond
from fixed_income_service.books.accounts import face_account, street_account
from fixed_income_service.books.lines import dvp_lines
from fixed_income_service.books.service import BondBooks
from fixed_income_service.domain.calendars import business_days_after
from fixed_income_service.domain.money import face_asset, trade_cash
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.domain.trading import price_at
from fixed_income_service.fixings.service import index_fixings
from fixed_income_service.problems import problem
from fixed_income_service.trades import repository
from fixed_income_service.trades.events import TRADE_SETTLED, publish
from fixed_income_service.trades.schemas import TradeCreate, TradePublic
from fleetkit.ids import new_id
from fleetkit.ledger_client import InsufficientFunds, LedgerRefusal
from fleetkit.problems import ProblemError, conflict

TRADES = uuid.UUID("0193a1b2-0004-7000-8000-7472616465ff")


def ledger_id_of(tenant_id: str, client_trade_id: str) -> uuid.UUID:
    """The trade's ledger transaction: one per tenant and client trade id, so a retry settles
    once."""
    return uuid.uuid5(TRADES, f"{tenant_id}:{client_trade_id}:settle")


def public(row: Any) -> TradePublic:
    """A stored trade as the API shows it."""
    fields = dict(row)
    for name in ("face_amount", "clean_price", "accrued", "dirty_price", "outstanding",
                 "cash_amount"):  # fmt: skip
        fields[name] = format(fields[name], "f")
    return TradePublic(**fields)


async def book_trade(
    session: AsyncSession,
    conn: Any,
    books: BondBooks,
    tenant_id: str,
    body: TradeCreate,
    today: date,
) -> tuple[TradePublic, bool]:
    """Settle the trade (or return the one booked before under the same client id)."""
    request_hash = hashlib.sha256(body.model_dump_json(exclude_none=True).encode()).hexdigest()
    if (known := await repository.by_client_id(conn, tenant_id, body.client_trade_id)) is not None:
        if known["request_hash"] != request_hash:
            raise conflict("client-trade-id-reused", "this client_trade_id booked another trade")
        return public(known), False
    face = Decimal(body.face_amount)
    if face <= 0:
        raise ProblemError(422, "invalid-face-amount", "face_amount must be above 0")
    try:
        bond = await get_bond(conn, body.bond_id)
        settlement = settlement_of(body, bond, today)
        terms = domain_terms(bond)
        fixings = await index_fixings(conn, bond, terms, settlement)
        price = price_at(terms, Decimal(body.clean_price), settlement, fixings)
    except Refusal as refusal:
        raise problem(refusal) from refusal
    cash = await books.cash_account(tenant_id, body.account_id)
    if cash.asset.partition("/")[0] != bond.currency:
        raise ProblemError(
            422,
            "currency-mismatch",
            f"the bond pays {bond.currency}, the account holds {cash.asset}",
        )
    asset = face_asset(bond.id, bond.isin)
    holding = face_account(tenant_id, cash.id, asset, cash.name)
    street_cash = street_account(tenant_id, cash.asset)
    street_face = street_account(tenant_id, asset)
    await books.open(tenant_id, [holding, street_cash, street_face])
    amount = trade_cash(face, price.outstanding, price.dirty, cash.scale)
    if amount <= 0:
        raise ProblemError(422, "invalid-price", "the trade's cash amount is not above 0")
    ledger_id = ledger_id_of(tenant_id, body.client_trade_id)
    lines = dvp_lines(body.side, cash.id, holding.id, street_cash.id, street_face.id, amount, face)
    meta = {"client_trade_id": body.client_trade_id, "bond_id": str(bond.id), "side": body.side}
    pending = settlement > today  # settled by beat on its date (trades/settlement.py)
    try:
        if not pending:
            await books.post(tenant_id, ledger_id, lines, meta)
    except InsufficientFunds as exc:
        kind = "insufficient-funds" if body.side == "buy" else "insufficient-face"
        raise ProblemError(422, kind, exc.detail) from exc
    except LedgerRefusal as exc:
        raise conflict("ledger-refused", exc.detail, ledger_problem=exc.kind) from exc
    row = await repository.insert_trade(
        conn,
        {
            "id": new_id(), "tenant_id": tenant_id, "client_trade_id": body.client_trade_id,
            "account_id": cash.id, "bond_id": bond.id, "side": body.side, "face_amount": face,
            "clean_price": price.clean, "accrued": price.accrued, "dirty_price": price.dirty,
            "outstanding": price.outstanding, "cash_amount": amount, "cash_asset": cash.asset,
            "face_asset": asset, "settlement_date": settlement, "ledger_transaction_id": ledger_id,
            "request_hash": request_hash, "trade_date": body.trade_date,
            "status": "pending" if pending else "settled",
        },
    )  # fmt: skip
    if row is None:  # a twin request with the same client id committed first
        return public(await repository.by_client_id(conn, tenant_id, body.client_trade_id)), False
    trade = public(row)
    if not pending:
        publish(session, TRADE_SETTLED, tenant_id, trade.model_dump(mode="json"))
    return trade, True


def settlement_of(body: TradeCreate, bond: BondPublic, today: date) -> date:
    """Today without a trade date; else the trade date plus the bond's settlement days
    (business days of its calendar), which must not have passed."""
    if body.trade_date is None:
        if (body.settlement_date or today) != today:
            raise ProblemError(
                422, "invalid-settlement-date",
                f"without a trade_date a trade settles on the day it is booked ({today})",
            )  # fmt: skip
        return today
    if body.trade_date > today:
        raise ProblemError(422, "invalid-trade-date", f"trade_date is after today ({today})")
    settlement = business_days_after(bond.calendar, body.trade_date, bond.settlement_days)
    if body.settlement_date not in (None, settlement):
        raise ProblemError(
            422, "invalid-settlement-date",
            f"a trade of {body.trade_date} settles on {settlement} (T+{bond.settlement_days})",
        )  # fmt: skip
    if settlement < today:
        raise ProblemError(
            422, "invalid-settlement-date", f"its settlement date {settlement} has passed"
        )
    return settlement
