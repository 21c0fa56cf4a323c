"""Corporate actions: a split scales holdings, lots and open orders exactly; a cash dividend
pays holders on the record date. The ledger side of each is one instruction per tenant,
written in the same transaction as the equity side and posted by the settlement worker."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.books.service import LedgerBooks
from equity_service.books.settlement_lines import lines_json
from equity_service.corporate_actions.adjustments import (
    split_lines,
    split_order,
)
from equity_service.corporate_actions.holders import Holding, holders
from equity_service.corporate_actions.models import CorporateAction
from equity_service.domain.splits import InexactSplit, Ratio
from equity_service.instruments import repository as instruments
from equity_service.instruments.models import Instrument
from equity_service.orders import repository as orders
from equity_service.orders.models import Order
from equity_service.settlement.models import LedgerInstruction
from fleetkit.problems import ProblemError, conflict

ACTIONS = uuid.UUID("0193a1b2-0003-7000-8000-636f72706163")


async def instrument_of(session: AsyncSession, symbol: str) -> Instrument:
    """The listed instrument, or a 422 problem."""
    instrument = await instruments.by_symbol(session, symbol)
    if instrument is None:
        raise ProblemError(422, "unknown-symbol", f"no instrument {symbol}")
    return instrument


async def _no_settlement_in_flight(session: AsyncSession, symbol: str) -> None:
    query = (
        select(func.count())
        .select_from(LedgerInstruction)
        .join(Order, Order.id == LedgerInstruction.order_id)
        .where(Order.symbol == symbol, LedgerInstruction.done_at.is_(None))
    )
    if await session.scalar(query):
        raise conflict("settlement-pending", f"fills in {symbol} are still settling; retry")


async def apply_split(
    session: AsyncSession, books: LedgerBooks, symbol: str, ratio: Ratio, action_id: uuid.UUID
) -> CorporateAction:
    """Apply a `to:from` split (3:1 triples every holding); the same id again is a no-op."""
    if (done := await session.get(CorporateAction, action_id)) is not None:
        return done
    instrument = await instrument_of(session, symbol)
    live = await orders.live_orders(session, symbol)  # locked: no fill moves meanwhile
    await _no_settlement_in_flight(session, symbol)
    by_tenant: dict[str, list[Holding]] = defaultdict(list)
    for holding in await holders(session, books, symbol):
        by_tenant[holding.tenant_id].append(holding)
    unposted = [o for o in live if o.side == "sell" and o.hold_id and not o.hold_posted]
    try:
        for tenant_id, held in by_tenant.items():
            pending: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
            for o in unposted:
                if o.tenant_id == tenant_id:
                    pending[o.account_id] += o.reserved
            lines = split_lines(tenant_id, symbol, instrument.ledger_asset, ratio, held, pending)
            holds = [str(o.hold_id) for o in unposted if o.tenant_id == tenant_id]
            meta = {
                "action_id": str(action_id),
                "symbol": symbol,
                "ratio": f"{ratio.to}:{ratio.frm}",
            }
            session.add(
                LedgerInstruction(
                    id=uuid.uuid5(ACTIONS, f"{action_id}:{tenant_id}"),
                    tenant_id=tenant_id,
                    order_id=None,
                    kind="split",
                    body={"post_holds": holds, "lines": lines_json(lines), "metadata": meta},
                )
            )
        for order in live:
            split_order(session, order, ratio, instrument.tick_size)
    except InexactSplit as exc:
        raise ProblemError(422, "inexact-split", str(exc)) from exc
    action = CorporateAction(
        id=action_id,
        instrument_id=instrument.id,
        kind="split",
        ratio_to=ratio.to,
        ratio_from=ratio.frm,
        applied_at=datetime.now(UTC),
    )
    session.add(action)
    await session.flush()
    return action
