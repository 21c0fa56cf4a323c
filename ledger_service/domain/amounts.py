"""Amounts: decimal strings on the wire, integer minor units in the ledger, never rounded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

from ledger_service.domain.refusals import Refusal

ASSET_NOTATION = re.compile(r"^(?P<code>[A-Z][A-Z0-9_.:-]{0,31})/(?P<scale>\d{1,2})$")
MAX_SCALE = 18
# Account columns are BIGINT: keep every sum of minor units inside it.
MAX_MINOR_UNITS = 2**62
# Enough digits that scaling any amount the ledger could hold is exact, never rounded.
EXACT_DIGITS = 80
# Digits, optionally a point and more digits: ASCII only (`\d` would take other scripts' digits).
PLAIN_AMOUNT = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,18})?")


@dataclass(frozen=True)
class Asset:
    """An asset and its scale: `USD/2` counts cents, `AAPL/9` billionths of a share."""

    code: str
    scale: int

    @property
    def notation(self) -> str:
        return f"{self.code}/{self.scale}"


def parse_asset(notation: str) -> Asset:
    """`USD/2` → Asset("USD", 2); anything else is refused."""
    match = ASSET_NOTATION.match(notation.strip())
    if match is None or int(match["scale"]) > MAX_SCALE:
        raise Refusal(
            "invalid-asset", f"{notation!r} is not an asset: expected CODE/SCALE like USD/2"
        )
    return Asset(match["code"], int(match["scale"]))


def to_minor_units(amount: str | Decimal, scale: int, *, allow_zero: bool = False) -> int:
    """The amount in minor units; refuses what needs rounding, negatives and absurd sizes."""
    if isinstance(amount, str) and PLAIN_AMOUNT.fullmatch(amount):
        units = _plain_units(amount, scale)
        if units is not None and (units or allow_zero) and units < MAX_MINOR_UNITS:
            return units
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation as exc:
        raise Refusal("invalid-amount", f"{amount!r} is not a decimal amount") from exc
    if not value.is_finite():
        raise Refusal("invalid-amount", f"{amount!r} is not a finite amount")
    if value and not -EXACT_DIGITS // 2 < value.adjusted() < 20:
        raise Refusal("invalid-amount", f"{amount} is outside what the ledger can hold")
    with localcontext() as exact:
        exact.prec = EXACT_DIGITS
        minor = value.scaleb(scale)
    if minor != minor.to_integral_value():
        raise Refusal(
            "precision-exceeded",
            f"{amount} has more than {scale} decimal places for an asset of scale {scale}",
        )
    units = int(minor)
    if units < 0 or (units == 0 and not allow_zero):
        raise Refusal("invalid-amount", f"amount must be positive, got {amount}")
    if units >= MAX_MINOR_UNITS:
        raise Refusal("invalid-amount", f"{amount} is larger than the ledger can hold")
    return units


def _plain_units(amount: str, scale: int) -> int | None:
    # The wire's own shape ("125.00"), read with integers: the hot path of every posting.
    # None (needs rounding) falls through to the exact Decimal reading, which names the refusal.
    whole, _, fraction = amount.partition(".")
    kept, dropped = fraction[:scale], fraction[scale:]
    if dropped.strip("0"):
        return None
    return int(whole + kept.ljust(scale, "0"))


def to_decimal_string(units: int, scale: int) -> str:
    """Minor units as the decimal string clients see: 1250, scale 2 → "12.50" (never "1E-9")."""
    # Integer arithmetic: exact at any size, and on every event and answer of the hot path.
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), 10**scale)
    return f"{sign}{whole}.{fraction:0{scale}d}" if scale else f"{sign}{whole}"
