"""Why the ledger refuses something: one stable kind per reason, the problem type clients see."""

from __future__ import annotations

from fleetkit.refusals import Refusal as BaseRefusal

# kind → HTTP status of the problem response
REFUSAL_STATUS = {
    "invalid-asset": 422,
    "invalid-amount": 422,
    "precision-exceeded": 422,
    "unbalanced": 422,
    "asset-mismatch": 422,
    "unknown-account": 422,
    "unknown-transaction": 404,
    "insufficient-funds": 409,
    "limit-exceeded": 409,
    "account-closed": 409,
    "hold-already-resolved": 409,
    "hold-expired": 409,
    "not-a-hold": 409,
    "amount-above-hold": 422,
    "condition-failed": 409,
    "already-reversed": 409,
    "not-reversible": 409,
    "partial-not-supported": 422,
    "transaction-id-reused": 409,
    "duplicate-account": 409,
    "duplicate-asset": 409,
    "account-not-empty": 409,
    "linked-failed": 409,
    "capacity-exceeded": 422,
    "invalid-expiry": 422,
}


class Refusal(BaseRefusal):
    """The ledger will not do this; `kind` is stable and names the reason."""

    statuses = REFUSAL_STATUS
