"""Cash dividends: declared with a record and a payment date, paid by beat on the payment
date to the holders of record, through the ledger, each payout rounded down to the cent."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from equity_service.books.accounts import venue_account
from equity_service.books.service import LedgerBooks
from equity_service.books.settlement_lines import lines_json
from equity_service.corporate_actions.adjustments import record_date_end
from equity_service.corporate_actions.holders import Holding, holders
from equity_service.corporate_actions.models import CorporateAction
from equity_service.corporate_actions.service import ACTIONS, instrument_of
from equity_service.domain.money import EXACT, minor
from equity_service.instruments.models import Instrument
from equity_service.settlement.models import LedgerInstruction
from fleetkit.db import make_sessionmaker
from fleetkit.ledger_client import LedgerLine
from fleetkit.problems import ProblemError


async def declare_dividend(
    session: AsyncSession,
    symbol: str,
    cash_per_share: Decimal,
    record_date: date,
    pay_date: date,
    action_id: uuid.UUID,
) -> CorporateAction:
    """Record a dividend to pay on `pay_date`; the same id again returns it."""
    if (known := await session.get(CorporateAction, action_id)) is not None:
        return known
    instrument = await instrument_of(session, symbol)
    if cash_per_share <= 0 or pay_date < record_date:
        raise ProblemError(
            422,
            "invalid-dividend",
            "cash_per_share must be positive, pay_date on or after record_date",
        )
    action = CorporateAction(
        id=action_id,
        instrument_id=instrument.id,
        kind="dividend",
        cash_per_share=cash_per_share,
        record_date=record_date,
        pay_date=pay_date,
    )
    session.add(action)
    await session.flush()
    return action


def _payouts(held: list[Holding], cash_per_share: Decimal) -> list[tuple[Holding, Decimal]]:
    rounded = (
        (
            h,
            EXACT.multiply(h.total, cash_per_share).quantize(
                minor(h.cash_scale), rounding=ROUND_DOWN
            ),
        )
        for h in held
    )
    return [(holding, amount) for holding, amount in rounded if amount > 0]


async def pay_dividend(session: AsyncSession, books: LedgerBooks, action_id: uuid.UUID) -> bool:
    """Queue the payments of a declared dividend (one ledger transaction per tenant) and mark
    it paid; False when it was paid before."""
    action = await session.get(CorporateAction, action_id, with_for_update=True)
    if action is None or action.kind != "dividend":
        raise ProblemError(404, "not-found", "no such dividend")
    if action.applied_at is not None:
        return False
    instrument = await session.get(Instrument, action.instrument_id)
    assert instrument is not None
    assert action.record_date is not None
    assert action.cash_per_share is not None
    by_tenant: dict[str, list[Holding]] = defaultdict(list)
    as_of = record_date_end(action.record_date)
    for holding in await holders(session, books, instrument.symbol, as_of=as_of):
        by_tenant[holding.tenant_id].append(holding)
    for tenant_id, held in by_tenant.items():
        payouts = _payouts(held, action.cash_per_share)
        if not payouts:
            continue
        payer = venue_account(tenant_id, f"{instrument.currency}/{held[0].cash_scale}")
        total = sum((amount for _, amount in payouts), Decimal(0))
        lines = [LedgerLine(h.cash_id, "credit", amount) for h, amount in payouts]
        lines.append(LedgerLine(payer.id, "debit", total))
        meta: dict[str, Any] = {
            "action_id": str(action.id),
            "symbol": instrument.symbol,
            "cash_per_share": format(action.cash_per_share, "f"),
            "record_date": action.record_date.isoformat(),
            "payouts": [
                {
                    "account_id": str(h.cash_id),
                    "shares": format(h.total, "f"),
                    "amount": format(amount, "f"),
                }
                for h, amount in payouts
            ],
        }
        session.add(
            LedgerInstruction(
                id=uuid.uuid5(ACTIONS, f"{action.id}:{tenant_id}"),
                tenant_id=tenant_id,
                order_id=None,
                kind="dividend",
                body={"post_holds": [], "lines": lines_json(lines), "metadata": meta},
            )
        )
    action.applied_at = datetime.now(UTC)
    return True


async def pay_due_dividends(engine: AsyncEngine, books: LedgerBooks, today: date) -> int:
    """Pay every declared dividend whose payment date has come, each in its own transaction."""
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        query = select(CorporateAction.id).where(
            CorporateAction.kind == "dividend",
            CorporateAction.applied_at.is_(None),
            CorporateAction.pay_date <= today,
        )
        due = list((await session.execute(query.order_by(CorporateAction.pay_date))).scalars())
    paid = 0
    for action_id in due:
        async with sessionmaker() as session, session.begin():
            paid += await pay_dividend(session, books, action_id)
    return paid
