"""Handlers of the ledger's events that keep the holdings read model.

Every movement of cash, shares, bond face and certificates in the fleet is a ledger transaction
(DESIGN §1): an equity fill settles as one, so do a bond trade, a coupon, a redemption, a
certificate's issue and a rent payment. So the read model adds up the lines of the ledger's
`ledger.transaction.posted` (posted and reversals) and `ledger.hold.posted` events, and needs
nothing from the other services' events: counting those too would count each movement twice.
The consumer records each event id in the inbox in the same transaction (fleetkit), so a
redelivered event changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.events.consumer import EventHandler
from fleetkit.events.envelope import Event
from portfolio_service.holdings.models import AccountPosition

POSTING_EVENTS = ("ledger.transaction.posted", "ledger.hold.posted")


async def apply_posting(session: AsyncSession, event: Event) -> None:
    """Add a posted transaction's lines to their accounts' positions."""
    if event.tenant_id is None:
        return
    payload = event.payload
    committed_at = datetime.fromisoformat(payload["committed_at"])
    transaction_id = uuid.UUID(payload["transaction_id"])
    for line in payload.get("lines", []):
        amount = Decimal(line["amount"])
        debit, credit = (amount, Decimal(0)) if line["side"] == "debit" else (Decimal(0), amount)
        row = {
            "account_id": uuid.UUID(line["account_id"]), "tenant_id": event.tenant_id,
            "asset": line["asset"], "debits_posted": debit, "credits_posted": credit,
            "postings": 1, "last_transaction_id": transaction_id,
            "last_committed_at": committed_at,
        }  # fmt: skip
        table = AccountPosition.__table__
        statement = insert(AccountPosition).values(**row)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["account_id"],
                set_={
                    "debits_posted": table.c.debits_posted + debit,
                    "credits_posted": table.c.credits_posted + credit,
                    "postings": table.c.postings + 1,
                    "last_transaction_id": transaction_id,
                    "last_committed_at": committed_at,
                    "updated_at": datetime.now(committed_at.tzinfo),
                },
            )
        )


SUBSCRIPTIONS: dict[str, dict[str, EventHandler]] = {
    "ledger": dict.fromkeys(POSTING_EVENTS, apply_posting)
}
