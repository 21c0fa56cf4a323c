"""The note the trade and payment tests hold: 5 % a year, 30/360 US, half-yearly, maturing on
the 15th about 13 months from today and issued 18 months before maturity, so that every period
is a regular half year (2.5 per 100), the first coupon date is ahead and the issue date behind."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

TODAY = datetime.now(UTC).date()


def months_before(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    return date(total // 12, total % 12 + 1, day.day)


# Maturity on the 15th about 13 months ahead, issued 18 months before it: every period is a
# regular half year, the first coupon date is ahead, the issue date behind.
MATURITY = (TODAY + timedelta(days=400)).replace(day=15)
COUPON_DATES = [months_before(MATURITY, 12), months_before(MATURITY, 6), MATURITY]


def note(isin: str = "US0000000AB1", issue: date | None = None) -> dict[str, object]:
    return {
        "name": "Acme 5% note",
        "isin": isin,
        "currency": "USD",
        "bond_type": "fixed",
        "coupon_rate": "0.05",
        "issue_date": (issue or months_before(MATURITY, 18)).isoformat(),
        "maturity_date": MATURITY.isoformat(),
        "frequency": 2,
        "day_count": "30/360 US",
        "calendar": "WEEKENDS",
        "payment_convention": "unadjusted",
    }


def trade(
    bond_id: str, account: uuid.UUID, side: str, face: str, clean: str, cid: str
) -> dict[str, str]:
    return {
        "client_trade_id": cid,
        "account_id": str(account),
        "bond_id": bond_id,
        "side": side,
        "face_amount": face,
        "clean_price": clean,
    }
