"""The lines of one fill's settlement: delivery versus payment in one balanced transaction.

Each party is a user order or the venue. Amounts are gathered per account as signed totals
(credit positive); the venue's account in each asset takes whatever balances that asset, which
is the whole other side for a fill against the market and at most a rounding cent for an
internal cross (each order rounds its own cumulative cash).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from equity_service.books.accounts import fee_account, user_book, venue_account
from fleetkit.ledger_client import LedgerLine


@dataclass(frozen=True)
class Leg:
    """One order's part of a fill."""

    tenant_id: str
    cash_id: uuid.UUID
    symbol: str
    side: str
    qty: Decimal
    cash: Decimal
    fee: Decimal


def settlement_lines(legs: list[Leg], cash_asset: str, share_asset: str) -> list[LedgerLine]:
    """The lines that settle `legs` (one leg against the venue, or a buy and a sell)."""
    tenant = legs[0].tenant_id
    net: dict[tuple[uuid.UUID, str], Decimal] = defaultdict(Decimal)
    fees = Decimal(0)
    for leg in legs:
        book = user_book(tenant, leg.cash_id, leg.symbol)
        if leg.side == "buy":
            net[book.cash_reserve.id, cash_asset] -= leg.cash + leg.fee
            net[book.shares.id, share_asset] += leg.qty
        else:
            net[book.shares_reserve.id, share_asset] -= leg.qty
            net[book.cash_id, cash_asset] += leg.cash - leg.fee
        fees += leg.fee
    if fees:
        net[fee_account(tenant, cash_asset).id, cash_asset] += fees
    for asset in (cash_asset, share_asset):
        imbalance = sum((v for (_, a), v in net.items() if a == asset), Decimal(0))
        net[venue_account(tenant, asset).id, asset] -= imbalance
    return [
        LedgerLine(account_id, "credit" if amount > 0 else "debit", abs(amount))
        for (account_id, _), amount in net.items()
        if amount != 0
    ]


def lines_json(lines: list[LedgerLine]) -> list[dict[str, str]]:
    """Lines as stored in a ledger instruction (amounts as decimal strings)."""
    return [
        {"account_id": str(x.account_id), "side": x.side, "amount": format(x.amount, "f")}
        for x in lines
    ]


def lines_from_json(rows: list[dict[str, str]]) -> list[LedgerLine]:
    """Back from an instruction's stored lines."""
    return [
        LedgerLine(
            uuid.UUID(r["account_id"]),
            "credit" if r["side"] == "credit" else "debit",
            Decimal(r["amount"]),
        )
        for r in rows
    ]
