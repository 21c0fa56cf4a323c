"""The ledger lines of a trade (delivery versus payment) and of a payment to holders."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fleetkit.ledger_client import LedgerLine


def dvp_lines(
    side: str,
    cash_id: uuid.UUID,
    face_id: uuid.UUID,
    street_cash_id: uuid.UUID,
    street_face_id: uuid.UUID,
    cash: Decimal,
    face: Decimal,
) -> list[LedgerLine]:
    """One balanced transaction: cash one way, face the other (buy: the user pays cash and
    receives face; sell: the reverse)."""
    if side == "buy":
        return [
            LedgerLine(cash_id, "debit", cash),
            LedgerLine(street_cash_id, "credit", cash),
            LedgerLine(street_face_id, "debit", face),
            LedgerLine(face_id, "credit", face),
        ]
    return [
        LedgerLine(face_id, "debit", face),
        LedgerLine(street_face_id, "credit", face),
        LedgerLine(street_cash_id, "debit", cash),
        LedgerLine(cash_id, "credit", cash),
    ]


def payment_lines(
    payouts: list[tuple[uuid.UUID, uuid.UUID, Decimal]],
    retired: list[tuple[uuid.UUID, Decimal]],
    street_face_id: uuid.UUID,
) -> list[LedgerLine]:
    """Cash to each holder (`(cash account, paying agent in its asset, amount)`) from the paying
    agent of its cash asset; on a final redemption each holder's face goes back to the street
    (the bond no longer exists)."""
    lines = [LedgerLine(cash_id, "credit", amount) for cash_id, _, amount in payouts if amount > 0]
    paid: dict[uuid.UUID, Decimal] = {}
    for _, payer_id, amount in payouts:
        paid[payer_id] = paid.get(payer_id, Decimal(0)) + amount
    lines += [LedgerLine(payer_id, "debit", total) for payer_id, total in paid.items() if total > 0]
    face_total = sum((face for _, face in retired), Decimal(0))
    lines += [LedgerLine(face_id, "debit", face) for face_id, face in retired if face > 0]
    if face_total > 0:
        lines.append(LedgerLine(street_face_id, "credit", face_total))
    return lines
