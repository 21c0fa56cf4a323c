"""Payments and deposits move the organization's money in the ledger service.

Three accounts per organization, opened on first use with ids derived from the tenant:

| account | name | normal side | role |
|---|---|---|---|
| cash | `realestate/cash/USD` | credit | the organization's own cash from rents |
| deposits | `realestate/deposits/USD` | credit | renters' security deposits held |
| rent received | `realestate/rent-received/USD` | debit | the outside world the money came from |

| posting | debit | credit |
|---|---|---|
| payment | rent received | cash |
| reversal (NSF, void) | cash | rent received |
| deposit received | rent received | deposits |
| deposit applied, forfeited | deposits | cash |
| deposit refunded | deposits | rent received |

Postings are queued with the change and sent after the commit (right after the request, and by
the worker's sweep); the transaction id is derived from the row, so a retry posts once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.db import make_sessionmaker
from fleetkit.http_client import DownstreamClient
from fleetkit.internal_jwt import TokenMinter
from fleetkit.ledger_client import LedgerClient, LedgerLine
from fleetkit.settings import BaseFleetSettings, SettingsError
from realestate_service.books.models import LedgerPosting

CASH_ASSET = "USD/2"
ACCOUNTS_NAMESPACE = uuid.UUID("0193a1b2-0005-7000-8000-7265616c6573")


def account_id(tenant_id: str, name: str) -> uuid.UUID:
    """The id of one of the organization's realestate accounts in the ledger."""
    return uuid.uuid5(ACCOUNTS_NAMESPACE, f"{tenant_id}|{name}")


CASH = "realestate/cash/USD"
DEPOSITS = "realestate/deposits/USD"
RENT_RECEIVED = "realestate/rent-received/USD"
# kind → (debited, credited)
MOVES = {
    "payment": (RENT_RECEIVED, CASH),
    "reversal": (CASH, RENT_RECEIVED),
    "deposit_received": (RENT_RECEIVED, DEPOSITS),
    "deposit_applied": (DEPOSITS, CASH),
    "deposit_forfeited": (DEPOSITS, CASH),
    "deposit_refunded": (DEPOSITS, RENT_RECEIVED),
}


class LedgerBooks:
    """The ledger as this service uses it; accounts opened by this process are remembered."""

    def __init__(self, client: LedgerClient) -> None:
        self.client = client
        self._opened: set[str] = set()

    async def open_accounts(self, tenant_id: str) -> None:
        if tenant_id in self._opened:
            return
        await self.client.ensure_asset(tenant_id, CASH_ASSET)
        await self.client.open_account(
            tenant_id, account_id(tenant_id, CASH), CASH, CASH_ASSET, no_overdraft=False
        )
        await self.client.open_account(
            tenant_id, account_id(tenant_id, DEPOSITS), DEPOSITS, CASH_ASSET, no_overdraft=True
        )
        await self.client.open_account(
            tenant_id,
            account_id(tenant_id, RENT_RECEIVED),
            RENT_RECEIVED,
            CASH_ASSET,
            normal_side="debit",
            no_overdraft=False,
        )
        self._opened.add(tenant_id)

    async def post(self, posting: LedgerPosting) -> None:
        """Send one posting (idempotent by its id)."""
        await self.open_accounts(posting.tenant_id)
        debited, credited = MOVES[posting.kind]
        lines = [
            LedgerLine(account_id(posting.tenant_id, debited), "debit", posting.amount),
            LedgerLine(account_id(posting.tenant_id, credited), "credit", posting.amount),
        ]
        source = posting.payment_id or posting.deposit_entry_id
        metadata = {"source_id": str(source), "kind": posting.kind}
        await self.client.create_transaction(
            posting.tenant_id, posting.id, lines, metadata=metadata
        )


def ledger_books(
    settings: BaseFleetSettings, transport: httpx.AsyncBaseTransport | None = None
) -> LedgerBooks:
    """LedgerBooks over a downstream client to the ledger, signing as `realestate`."""
    seed = settings.signing_key()
    if seed is None:
        raise SettingsError("REALESTATE_JWT_PRIVATE_KEY is required: it signs its ledger calls")
    downstream = DownstreamClient(
        settings.service_name, "ledger", settings.fleet.service_url("ledger"), transport=transport
    )
    return LedgerBooks(LedgerClient(downstream, TokenMinter(settings.service_name, seed)))


async def post_pending(engine: AsyncEngine, books: LedgerBooks, *, limit: int = 200) -> int:
    """Send the queued postings, oldest first; a failure is kept for the next sweep."""
    sent = 0
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        query = (
            select(LedgerPosting)
            .where(LedgerPosting.done_at.is_(None))
            .order_by(LedgerPosting.seq)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        for posting in (await session.execute(query)).scalars():
            try:
                await books.post(posting)
            except Exception as exc:
                posting.attempts += 1
                posting.last_error = repr(exc)[:500]
                continue
            posting.done_at = datetime.now(UTC)
            sent += 1
    return sent
