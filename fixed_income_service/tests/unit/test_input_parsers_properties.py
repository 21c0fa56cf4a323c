"""Property tests for the bond service's parsers of user input: curve date lists and inline
bond specs in analytics batches. Whatever the input, the answer is the parsed value, the typed
refusal, or a problem for that one item; nothing else escapes (the API would answer 500)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixed_income_service.analytics.schemas import AnalyticsRequest
from fixed_income_service.analytics.service import parse_item, run_batch
from fixed_income_service.curves.service import MAX_DATES, parse_dates
from fixed_income_service.domain.calendars import CALENDARS, BusinessDayConvention
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.refusals import Refusal

DAYS = st.dates(date(1, 1, 1), date(9999, 12, 31))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(st.lists(DAYS, min_size=1, max_size=50), st.sampled_from([",", ", ", " ,"]))
def test_a_list_of_dates_round_trips(days, separator):
    assert parse_dates(separator.join(day.isoformat() for day in days)) == days


@given(st.text())
def test_any_text_is_dates_or_the_invalid_dates_refusal(text):
    try:
        days: list[date] | str = parse_dates(text)
    except Refusal as refusal:
        days = refusal.kind

    assert days == "invalid-dates" or 1 <= len(days) <= MAX_DATES


@given(JSON)
def test_any_json_value_is_an_item_or_its_refusal(raw):
    assert isinstance(parse_item(raw), object)  # it returned: no exception escaped


RATES = st.one_of(
    st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{1,12})?\Z"), st.sampled_from(["0", "999.9", "-1", "x"])
)


@st.composite
def bond_specs(draw: st.DrawFn) -> dict[str, Any]:
    """Inline bond specs near and beyond the edges: any dates, conventions, rates, schedules."""
    spec: dict[str, Any] = {
        "bond_type": draw(st.sampled_from(["fixed", "zero", "amortizing", "frn", "perpetual"])),
        "coupon_rate": draw(RATES),
        "issue_date": draw(DAYS).isoformat(),
        "maturity_date": draw(DAYS).isoformat(),
        "frequency": draw(st.sampled_from([1, 2, 4, 12, 3, 0])),
        "day_count": draw(st.sampled_from([*(d.value for d in DayCount), "ACT/999"])),
        "calendar": draw(st.sampled_from([*CALENDARS, "NOWHERE"])),
        "payment_convention": draw(st.sampled_from([c.value for c in BusinessDayConvention])),
        "end_of_month": draw(st.booleans()),
        "ex_coupon_days": draw(st.integers(-1, 31)),
        "redemption": draw(RATES),
        "spread": draw(st.sampled_from(["0", "-0.01", "0.5"])),
        "lookback_days": draw(st.integers(0, 11)),
    }
    for optional in ("first_coupon_date", "penultimate_coupon_date"):
        if draw(st.booleans()):
            spec[optional] = draw(DAYS).isoformat()
    if draw(st.booleans()):
        spec["amortization"] = [
            {"date": draw(DAYS).isoformat(), "percent": draw(RATES)}
            for _ in range(draw(st.integers(0, 3)))
        ]
    if draw(st.booleans()):
        spec["calls"] = [
            {"date": draw(DAYS).isoformat(), "price": draw(RATES)}
            for _ in range(draw(st.integers(0, 3)))
        ]
    return spec


QUOTES = st.sampled_from(["yield", "clean_price", "dirty_price"])
VALUES = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, 100.0, 0.05])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bond_specs(), QUOTES, VALUES, DAYS)
def test_any_inline_bond_spec_is_priced_or_refused_as_that_item(spec, quote, value, settlement):
    request = AnalyticsRequest(settlement_date=settlement, items=[{"bond": spec, quote: value}])

    [answer] = run_batch(request, [parse_item(item) for item in request.items], {})

    assert answer["index"] == 0
    if "problem" in answer:
        assert answer["problem"]["type"].startswith("urn:finfleet:problem:")
