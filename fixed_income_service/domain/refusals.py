"""Why a bond or an analytics item is refused: one stable kind per reason (the problem type)."""

from __future__ import annotations

from fleetkit.refusals import Refusal as BaseRefusal

# kind → HTTP status of the problem response (or of the item's problem inside a batch)
REFUSAL_STATUS = {
    "invalid-bond": 422,
    "unknown-calendar": 422,
    "unknown-day-count": 422,
    "invalid-schedule": 422,
    "invalid-amortization": 422,
    "maturity-before-settlement": 422,
    "settlement-before-issue": 422,
    "invalid-yield": 422,
    "invalid-price": 422,
    "no-yield": 422,
    "unknown-bond": 404,
    "duplicate-bond": 409,
    "invalid-curve": 422,
    "unknown-curve": 404,
    "invalid-dates": 422,
    "invalid-spread": 422,
    "settlement-before-curve": 422,
    "curve-required": 422,
    "fixing-conflict": 409,
    "fixing-missing": 422,
}


class Refusal(BaseRefusal):
    """The analytics will not do this; `kind` is stable and names the reason."""

    statuses = REFUSAL_STATUS
