"""Bond money in Decimal: the face asset, a trade's cash at the dirty price, payouts to holders.

Prices and accrued interest are per 100 of face outstanding; a holding is counted in original
face (the ledger's face asset), so a trade's cash is `face * outstanding/100 * dirty/100`.
Every cash amount is rounded once, half-even to the cash asset's minor unit (interest rule of
DESIGN §5), at the place named below.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal

from fixed_income_service.domain.cashflows import Cashflow
from fixed_income_service.domain.statements import amount_text

FACE_SCALE = 2  # face is held to the cent of the bond's currency
EXACT = Context(prec=60)
PRICE_PLACES = Decimal("1E-10")


def face_asset(bond_id: uuid.UUID, isin: str | None) -> str:
    """The ledger asset of the bond's face: `BOND:<ISIN>/2`, or `BOND:<id hex>/2` without one."""
    code = isin if isin else bond_id.hex.upper()[:27]
    return f"BOND:{code}/{FACE_SCALE}"


def per_100(value: float) -> Decimal:
    """An engine figure per 100 (a float) as the Decimal the wire shows (10 places)."""
    return Decimal(amount_text(value))


def minor(scale: int) -> Decimal:
    """The minor unit of an asset of `scale` (0.01 for scale 2)."""
    return Decimal(1).scaleb(-scale)


def trade_cash(face: Decimal, outstanding: Decimal, dirty: Decimal, cash_scale: int) -> Decimal:
    """What the buyer pays for `face` at `dirty` per 100 outstanding: rounded half-even."""
    exact = EXACT.multiply(EXACT.multiply(face, outstanding), dirty) / Decimal(10_000)
    return exact.quantize(minor(cash_scale), rounding=ROUND_HALF_EVEN)


def payout(face: Decimal, amount_per_100: Decimal, cash_scale: int) -> Decimal:
    """A holder's coupon or principal for `face` held: rounded half-even to the minor unit."""
    exact = EXACT.multiply(face, amount_per_100) / Decimal(100)
    return exact.quantize(minor(cash_scale), rounding=ROUND_HALF_EVEN)


def record_date(flow: Cashflow) -> date:
    """The last day a holder must hold at its end to be paid `flow`.

    Settled on or after the ex-coupon date (else the payment date) a buyer does not get the
    flow, as the analytics price it; so the record date is the day before.
    """
    return (flow.ex_coupon_date or flow.payment_date) - timedelta(days=1)


def outstanding_at(flows: tuple[Cashflow, ...], settlement: date) -> Decimal:
    """Face outstanding per 100 original after `settlement` (what the next flows accrue on)."""
    ahead = [f for f in flows if f.payment_date > settlement]
    return per_100(ahead[0].outstanding) if ahead else Decimal(0)
