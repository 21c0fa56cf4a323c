"""An FRN traded and paid from stored fixings, through the REAL ledger app: without the
fixings to date a trade is refused; with them it settles at the dirty price (accrued as
QuantLib's `OvernightIndexedCoupon` accrues on the same fixings); beat pays nothing while a
fixing of the period is missing (and says so), then the coupon exactly once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import QuantLib as ql  # noqa: N813

from fixed_income_service.bonds.schemas import BondTermsIn
from fixed_income_service.bonds.service import domain_terms
from fixed_income_service.domain.calendars import is_business_day
from fixed_income_service.domain.cashflows import bond_cashflows
from fixed_income_service.payments.service import FRN_COUPONS_WAITING, pay_due
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.acme_note import TODAY, trade
from fixed_income_service.tests.integration.conftest import outbox_events

PROBLEM = "urn:finfleet:problem:"
ISSUE = TODAY - timedelta(days=60)
MATURITY = date(ISSUE.year + 1, ISSUE.month, min(ISSUE.day, 28))
FRN = {
    "name": "Acme SOFR FRN",
    "isin": "US0000000FR1",
    "currency": "USD",
    "bond_type": "frn",
    "issue_date": ISSUE.isoformat(),
    "maturity_date": MATURITY.isoformat(),
    "frequency": 4,
    "day_count": "ACT/360",
    "calendar": "WEEKENDS",
    "payment_convention": "following",
    "spread": "0.0025",
    "lookback_days": 2,
    "overnight_index": "SOFR",
}
TERMS = domain_terms(BondTermsIn(**{k: v for k, v in FRN.items() if k in BondTermsIn.model_fields}))
FIRST = next(f for f in bond_cashflows(TERMS) if f.kind == "coupon")


def fixings_until(last: date) -> dict[date, Decimal]:
    """A fixing for every business day from a month before issue to `last`."""
    fixings, day = {}, ISSUE - timedelta(days=31)
    while day <= last:
        if is_business_day("WEEKENDS", day):
            fixings[day] = Decimal("0.043") + Decimal(day.toordinal() % 7) / Decimal(10_000)
        day += timedelta(days=1)
    return fixings


def wire(fixings: dict[date, Decimal]) -> dict[str, object]:
    return {"fixings": [{"fixing_date": d.isoformat(), "rate": str(r)} for d, r in fixings.items()]}


def quantlib_coupon(fixings: dict[date, Decimal]) -> ql.OvernightIndexedCoupon:
    ql.Settings.instance().evaluationDate = oracle.qdate(max(fixings) + timedelta(days=1))
    index = ql.OvernightIndex(
        "SOFR-TEST", 0, ql.USDCurrency(), oracle.calendar("WEEKENDS"), ql.Actual360()
    )
    index.clearFixings()
    for day, rate in fixings.items():
        index.addFixing(oracle.qdate(day), float(rate), True)
    return ql.OvernightIndexedCoupon(
        oracle.qdate(FIRST.payment_date), 100.0, oracle.qdate(FIRST.accrual_start),
        oracle.qdate(FIRST.accrual_end), index, 1.0, 0.0025, ql.Date(), ql.Date(),
        ql.Actual360(), False, ql.RateAveraging.Compound, 2, 0, False,
    )  # fmt: skip


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


async def test_an_frn_trades_at_its_dirty_price_and_its_coupon_is_paid_once_fixings_are_in(
    desk, desk_app, books, owner, auth_headers
):
    assert ISSUE < TODAY < FIRST.payment_date
    admin = auth_headers(tenant_id="ops", roles=frozenset({"admin"}))
    created = await desk.post("/v1/bonds", json=FRN, headers=admin)
    assert created.status_code == 201, created.text
    bond_id = created.json()["id"]
    assert created.json()["overnight_index"] == "SOFR"
    alice = await books.user("alice", cash="20000.00")
    buy = trade(bond_id, alice, "buy", "10000.00", "100.01", "frn-1")

    refused = await desk.post("/v1/trades", json=buy, headers=owner)
    assert refused.status_code == 422
    assert refused.json()["type"] == PROBLEM + "fixing-missing"

    to_date = fixings_until(TODAY)
    stored = await desk.post("/v1/indices/SOFR/fixings", json=wire(to_date), headers=admin)
    assert stored.status_code == 200, stored.text
    booked = await desk.post("/v1/trades", json=buy, headers=owner)
    assert booked.status_code == 201, booked.text
    expected = quantlib_coupon(to_date).accruedAmount(oracle.qdate(TODAY))
    assert abs(Decimal(booked.json()["accrued"]) - Decimal(repr(expected))) < Decimal("1e-9")
    cash = cents(
        Decimal("10000.00") * (Decimal("100.01") + Decimal(booked.json()["accrued"])) / 100
    )
    assert Decimal(booked.json()["cash_amount"]) == cash

    engine, ledger_books = desk_app.state.engine, desk_app.state.books
    after_trade = await books.posted(alice)
    # The period's last fixings are not stored yet: nothing paid, and the gauge says why.
    assert await pay_due(engine, ledger_books, FIRST.payment_date) == 0
    assert FRN_COUPONS_WAITING._value.get() == 1
    assert await books.posted(alice) == after_trade

    whole = fixings_until(FIRST.payment_date)
    more = {d: r for d, r in whole.items() if d > TODAY}
    assert (await desk.post("/v1/indices/SOFR/fixings", json=wire(more), headers=admin)).is_success
    assert await pay_due(engine, ledger_books, FIRST.payment_date) == 1
    assert await pay_due(engine, ledger_books, FIRST.payment_date) == 0
    assert FRN_COUPONS_WAITING._value.get() == 0
    coupon = Decimal(repr(quantlib_coupon(whole).amount()))
    assert await books.posted(alice) == after_trade + cents(Decimal("10000.00") * coupon / 100)
    [paid] = await outbox_events(engine, "fixed_income.coupon.paid")
    assert paid["payment_date"] == FIRST.payment_date.isoformat()
    assert abs(Decimal(paid["amount_per_100"]) - coupon) < Decimal("1e-10")
