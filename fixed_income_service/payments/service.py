"""Paying coupons and redemptions on their dates to the holders of record, exactly once.

Holders of record are the ledger's face balances committed at the end of the record date (the
day before the ex-coupon date, else before the payment date). Each payment (tenant, bond, kind,
date) is claimed by inserting its row, posted to the ledger under an id derived from the same
key, and completed with its outbox event in one database transaction. A run killed after the
ledger answered leaves no row; the next run computes the same lines from the same past balances
and posts the same id, which the ledger answers with the original: paid once.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fixed_income_service.bonds.schemas import BondPublic
from fixed_income_service.bonds.service import domain_terms, get_bond
from fixed_income_service.books.accounts import face_account, paying_agent, street_account
from fixed_income_service.books.lines import payment_lines
from fixed_income_service.books.service import BondBooks
from fixed_income_service.domain.fixings import Realised, realise
from fixed_income_service.domain.money import face_asset, payout
from fixed_income_service.domain.payments import DuePayment, due_payments
from fixed_income_service.fixings.service import index_fixings, index_of
from fixed_income_service.payments import repository
from fixed_income_service.trades import repository as trades
from fixed_income_service.trades.events import BOND_REDEEMED, COUPON_PAID, publish
from fleetkit.db import driver_connection, make_sessionmaker

log = logging.getLogger(__name__)
FRN_COUPONS_WAITING = Gauge(
    "fixed_income_frn_coupons_waiting_for_fixings",
    "FRN coupons past their payment date, unpaid because a fixing of their period is missing",
)
PAYMENTS = uuid.UUID("0193a1b2-0005-7000-8000-7061796d656e")


def payment_id_of(tenant_id: str, bond_id: uuid.UUID, due: DuePayment) -> uuid.UUID:
    """One id per tenant, bond, kind and payment date: the row's and the ledger's."""
    return uuid.uuid5(PAYMENTS, f"{tenant_id}:{bond_id}:{due.kind}:{due.payment_date}")


def record_moment(day: date) -> datetime:
    """Holders of record are those at the end of the record date (UTC)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


async def pay_due(engine: AsyncEngine, books: BondBooks, today: date) -> int:
    """Pay every coupon and redemption dated on or before `today` not paid yet, each in its own
    transaction; returns how many were paid to at least one holder."""
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        conn = await driver_connection(session)
        work, waiting = [], 0
        for bond_id in await trades.traded_bonds(conn):
            bond = await get_bond(conn, bond_id)
            terms = domain_terms(bond)
            realised = realise(terms, await index_fixings(conn, bond, terms, today), today)
            waiting += report_waiting(bond, realised)
            dues = due_payments(realised.terms, today)
            by_tenant: dict[str, list[Any]] = defaultdict(list)
            for holder in await trades.holders(conn, bond_id):
                by_tenant[holder["tenant_id"]].append(holder)
            for tenant, held in by_tenant.items():
                work += [(bond, tenant, held, due) for due in dues]
    FRN_COUPONS_WAITING.set(waiting)
    paid = 0
    for bond, tenant, held, due in work:
        async with sessionmaker() as session, session.begin():
            paid += await pay_one(session, books, bond, tenant, held, due)
    return paid


def report_waiting(bond: BondPublic, realised: Realised) -> int:
    """Log each FRN coupon due but short of a fixing (it is paid once the fixing is stored);
    returns how many."""
    for period_end, missing in realised.waiting:
        log.warning(
            "frn coupon waiting for fixings",
            extra={"bond_id": str(bond.id), "index": index_of(bond),
                   "period_end": period_end.isoformat(),
                   "missing_fixings": [day.isoformat() for day in missing]},
        )  # fmt: skip
    return len(realised.waiting)


async def pay_one(
    session: AsyncSession,
    books: BondBooks,
    bond: BondPublic,
    tenant_id: str,
    held: list[Any],
    due: DuePayment,
) -> bool:
    """Pay one due payment to one tenant's holders of record; False if paid before or nobody
    held the bond then."""
    conn = await driver_connection(session)
    payment_id = payment_id_of(tenant_id, bond.id, due)
    if not await repository.claim_payment(conn, payment_id, tenant_id, bond.id, due):
        return False
    asset = face_asset(bond.id, bond.isin)
    as_of = record_moment(due.record_date)
    payouts, retired, shown = [], [], []
    for holder in held:
        holding = face_account(tenant_id, holder["account_id"], asset)
        face = await books.posted(tenant_id, holding.id, as_of)
        if face <= 0:
            continue
        scale = int(holder["cash_asset"].partition("/")[2])
        amount = payout(face, due.amount_per_100, scale)
        payer = paying_agent(tenant_id, holder["cash_asset"])
        payouts.append((holder["account_id"], payer.id, amount))
        if due.final:
            retired.append((holding.id, face))
        shown.append(
            {"account_id": str(holder["account_id"]), "face": format(face, "f"),
             "amount": format(amount, "f"), "cash_asset": holder["cash_asset"]}
        )  # fmt: skip
    total = sum((amount for _, _, amount in payouts), Decimal(0))
    lines = payment_lines(payouts, retired, street_account(tenant_id, asset).id)
    if not lines:
        await repository.complete_payment(conn, payment_id, total, shown, None)
        return False
    await books.open(tenant_id, [paying_agent(tenant_id, h["cash_asset"]) for h in held])
    metadata = {"bond_id": str(bond.id), "kind": due.kind, "payment_date": str(due.payment_date)}
    await books.post(tenant_id, payment_id, lines, metadata)
    await repository.complete_payment(conn, payment_id, total, shown, payment_id)
    publish(
        session,
        COUPON_PAID if due.kind == "coupon" else BOND_REDEEMED,
        tenant_id,
        {
            "payment_id": str(payment_id), "bond_id": str(bond.id), "face_asset": asset,
            "kind": due.kind, "final": due.final, "payment_date": due.payment_date.isoformat(),
            "record_date": due.record_date.isoformat(),
            "amount_per_100": format(due.amount_per_100, "f"), "total": format(total, "f"),
            "payouts": shown, "ledger_transaction_id": str(payment_id),
        },
    )  # fmt: skip
    return True
