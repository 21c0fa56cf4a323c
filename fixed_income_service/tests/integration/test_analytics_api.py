"""`POST /v1/analytics/bonds:batch` on real Postgres: figures checked against QuantLib,
results in request order, every bad item its own problem."""

from __future__ import annotations

from datetime import date

import pytest
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.calendars import BusinessDayConvention
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.integration.test_bonds_api import NOTE, PROBLEM

SETTLEMENT = "2030-03-18"
GILT = {
    "bond_type": "fixed", "coupon_rate": "0.04", "issue_date": "2024-03-07",
    "maturity_date": "2034-03-07", "frequency": 2, "day_count": "ACT/ACT ICMA",
    "calendar": "UK", "ex_coupon_days": 7,
}  # fmt: skip


@pytest.fixture
def h(auth_headers):
    return auth_headers(tenant_id="acme", roles=frozenset({"viewer"}))


@pytest.fixture
async def note_id(client, auth_headers):
    admin = auth_headers(tenant_id="ops", roles=frozenset({"admin"}))
    response = await client.post("/v1/bonds", json=NOTE, headers=admin)
    return response.json()["id"]


def quantlib_note():
    following = BusinessDayConvention.FOLLOWING
    terms = BondTerms(BondType.FIXED, date(2025, 5, 15), date(2035, 5, 15), 0.0425, 2,
                      DayCount.ACT_ACT_ICMA, "US-GOVT", following)  # fmt: skip
    when = oracle.qdate(date(2030, 3, 18))
    ql.Settings.instance().evaluationDate = when
    return terms, oracle.bond(terms), when


async def test_a_stored_bond_is_priced_as_quantlib_prices_it(client, h, note_id):
    body = {"settlement_date": SETTLEMENT, "yield_convention": "true",
            "items": [{"bond_id": note_id, "yield": 0.0437}]}  # fmt: skip
    response = await client.post("/v1/analytics/bonds:batch", json=body, headers=h)
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    terms, bond, when = quantlib_note()
    rate = oracle.interest_rate(terms, 0.0437)
    assert result["clean_price"] == pytest.approx(
        ql.BondFunctions.cleanPrice(bond, rate, when), abs=1e-10
    )
    assert result["accrued_interest"] == pytest.approx(bond.accruedAmount(when), abs=1e-12)
    assert result["modified_duration"] == pytest.approx(
        ql.BondFunctions.duration(bond, rate, ql.Duration.Modified, when), rel=1e-9
    )
    assert result["convexity"] == pytest.approx(
        ql.BondFunctions.convexity(bond, rate, when), rel=1e-9
    )
    assert result["conventions"]["day_count"] == "ACT/ACT ICMA"
    assert result["bond_id"] == note_id


async def test_items_come_back_in_order_and_each_bad_one_is_its_own_problem(client, h, note_id):
    items = [
        {"bond_id": note_id, "clean_price": 99.5},
        {"bond_id": note_id, "yield": "NaN"},
        {"bond": GILT, "yield": 0.04},
        {"bond_id": "0190f1c4-0000-7000-8000-000000000000", "yield": 0.04},
        {"bond_id": note_id, "yield": 0.04, "clean_price": 99.0},
        {"bond": {**GILT, "calendar": "MARS"}, "yield": 0.04},
        {"bond": {**GILT, "maturity_date": "2029-03-07", "issue_date": "2019-03-07"},
         "yield": 0.04},
        {"bond_id": note_id, "dirty_price": -3},
        {"bond_id": note_id, "yield": 1e6},
    ]  # fmt: skip
    body = {"settlement_date": SETTLEMENT, "yield_convention": "street", "items": items,
            "measures": ["yield", "clean_price", "accrued_interest"]}  # fmt: skip
    response = await client.post("/v1/analytics/bonds:batch", json=body, headers=h)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    kinds = [r.get("problem", {}).get("type", "").removeprefix(PROBLEM) for r in results]
    assert kinds == ["", "invalid-yield", "", "unknown-bond", "invalid-item", "unknown-calendar",
                     "maturity-before-settlement", "invalid-price", "invalid-yield"]  # fmt: skip
    assert results[0]["clean_price"] == pytest.approx(99.5, abs=1e-10)
    assert results[4]["problem"]["status"] == 422
    assert results[4]["problem"]["errors"][0]["message"].endswith(
        "clean_price, dirty_price, yield or z_spread"
    )
    assert set(results[0]) >= {"yield", "accrued_interest", "accrued_days", "conventions"}


async def test_a_request_with_no_items_or_a_bad_convention_is_refused_whole(client, h):
    for body in (
        {"settlement_date": SETTLEMENT, "items": []},
        {"settlement_date": SETTLEMENT, "yield_convention": "bloomberg", "items": [{}]},
        {"settlement_date": "not a date", "items": [{}]},
    ):
        response = await client.post("/v1/analytics/bonds:batch", json=body, headers=h)
        assert response.status_code == 422
        assert response.json()["type"] == PROBLEM + "validation-error"


async def test_the_cashflow_schedule_measure_lists_what_the_buyer_gets(client, h):
    body = {"settlement_date": "2030-03-04", "measures": ["cashflows", "accrued_interest"],
            "items": [{"bond": GILT, "yield": 0.04}]}  # fmt: skip
    response = await client.post("/v1/analytics/bonds:batch", json=body, headers=h)
    [result] = response.json()["results"]
    # Settled ex-coupon three days before 7 Mar 2030: that coupon goes to the seller.
    assert result["accrued_days"] == -3
    assert result["cashflows"][0]["amount"] == "0"
    assert result["cashflows"][0]["ex_coupon"] is True
    assert result["cashflows"][1]["amount"] == "2"
    assert result["cashflows"][-1]["kind"] == "principal"


async def test_analytics_need_a_token(client):
    response = await client.post("/v1/analytics/bonds:batch", json={})
    assert response.status_code == 401


async def test_a_stored_callable_bond_answers_its_yield_to_worst(client, h, auth_headers):
    admin = auth_headers(tenant_id="ops", roles=frozenset({"admin"}))
    callable_note = {**NOTE, "isin": "US91282CMU32", "coupon_rate": "0.07",
                     "calls": [{"date": "2031-05-15", "price": "100"}]}  # fmt: skip
    created = await client.post("/v1/bonds", json=callable_note, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["calls"] == [{"date": "2031-05-15", "price": "100"}]
    body = {"settlement_date": SETTLEMENT, "measures": ["yield_to_call", "yield_to_worst"],
            "items": [{"bond_id": created.json()["id"], "clean_price": 110.0}]}  # fmt: skip
    [result] = (await client.post("/v1/analytics/bonds:batch", json=body, headers=h)).json()[
        "results"
    ]
    assert result["worst_date"] == "2031-05-15"
    assert result["yield_to_worst"] == result["yield_to_call"][0]["yield"]
    off = {
        **callable_note,
        "isin": "US91282CMU40",
        "calls": [{"date": "2031-05-16", "price": "100"}],
    }
    refused = await client.post("/v1/bonds", json=off, headers=admin)
    assert refused.json()["type"] == PROBLEM + "invalid-bond"


async def test_items_that_are_not_objects_or_overflow_a_float_are_their_own_problems(client, h):
    monthly = {**GILT, "frequency": 12, "maturity_date": "2060-03-07"}
    body = {"settlement_date": SETTLEMENT, "measures": ["clean_price", "convexity"],
            "items": [42, "bond", {"bond": monthly, "yield": -11.99999999999999},
                      {"bond": GILT, "yield": 0.04}]}  # fmt: skip
    response = await client.post("/v1/analytics/bonds:batch", json=body, headers=h)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    kinds = [r.get("problem", {}).get("type", "").removeprefix(PROBLEM) for r in results]
    assert kinds == ["invalid-item", "invalid-item", "invalid-yield", ""]
