"""SQL for bond payments: one row per tenant, bond, kind and payment date."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from fixed_income_service.domain.payments import DuePayment


async def claim_payment(
    conn: Any, payment_id: uuid.UUID, tenant_id: str, bond_id: uuid.UUID, due: DuePayment
) -> bool:
    """Take the payment for this transaction; False when it was paid before.

    A concurrent runner waits on the row's key until this transaction ends, then sees it.
    """
    inserted = await conn.fetchval(
        """
        INSERT INTO bond_payments (id, tenant_id, bond_id, kind, payment_date, record_date,
                                   amount_per_100, final, total, payouts)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, '[]'::jsonb)
        ON CONFLICT DO NOTHING RETURNING id
        """,
        payment_id, tenant_id, bond_id, due.kind, due.payment_date, due.record_date,
        due.amount_per_100, due.final,
    )  # fmt: skip
    return inserted is not None


async def complete_payment(
    conn: Any,
    payment_id: uuid.UUID,
    total: Decimal,
    payouts: list[dict[str, str]],
    ledger_id: uuid.UUID | None,
) -> None:
    """What was paid, and under which ledger transaction."""
    await conn.execute(
        "UPDATE bond_payments SET total = $2, payouts = $3::jsonb, ledger_transaction_id = $4 "
        "WHERE id = $1",
        payment_id, total, json.dumps(payouts), ledger_id,
    )  # fmt: skip


async def list_payments(conn: Any, tenant_id: str, bond_id: uuid.UUID) -> list[Any]:
    """The tenant's payments of the bond, in payment order."""
    rows: list[Any] = await conn.fetch(
        """
        SELECT id, bond_id, kind, payment_date, record_date, amount_per_100, final, total,
               payouts::text AS payouts, ledger_transaction_id, paid_at
        FROM bond_payments WHERE tenant_id = $1 AND bond_id = $2
        ORDER BY payment_date, kind
        """,
        tenant_id, bond_id,
    )  # fmt: skip
    return rows
