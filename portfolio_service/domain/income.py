"""What counts as income of a portfolio, read from the ledger's transaction metadata.

The services tag their payouts (CONTRACTS of equity and fixed income): a fixed-income payment
carries `kind` `coupon` or `redemption` and its `bond_id`; an equity dividend its `action_id`
and `cash_per_share`. Coupons and dividends are income; a redemption gives the principal back
and is not. Rent is not in the portfolio's ledger accounts (the real-estate service books it
in its own), so it is read from that service per building.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

SOURCES = ("dividends", "coupons", "rent")


def income_source(metadata: Mapping[str, Any]) -> str | None:
    """`dividends`, `coupons` or None (not income) for a ledger transaction's metadata."""
    if metadata.get("kind") == "coupon" and "bond_id" in metadata:
        return "coupons"
    if "action_id" in metadata and "cash_per_share" in metadata:
        return "dividends"
    return None


def received_on(lines: list[Mapping[str, Any]], account_id: str) -> Decimal:
    """What a transaction's lines credited (less debited) to one account."""
    total = Decimal(0)
    for line in lines:
        if line["account_id"] == account_id:
            amount = Decimal(line["amount"])
            total += amount if line["side"] == "credit" else -amount
    return total
