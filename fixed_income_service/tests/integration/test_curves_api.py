"""Curves over HTTP on real Postgres: bootstrap, read back, evaluate; values against QuantLib."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.integration.test_bonds_api import PROBLEM
from fixed_income_service.tests.unit.test_curves import REFERENCE, quantlib_curve

CURVE: dict[str, Any] = {
    "name": "USD demo",
    "reference_date": REFERENCE.isoformat(),
    "deposits": [
        {"maturity_date": "2030-07-14", "rate": "0.031"},
        {"maturity_date": "2030-09-14", "rate": "0.032"},
        {"maturity_date": "2030-12-14", "rate": "0.0335"},
    ],
    "par_bonds": [
        {"maturity_date": f"{2030 + years}-06-14", "rate": rate, "day_count": "30/360 US",
         "calendar": "TARGET"}
        for years, rate in ((2, "0.034"), (3, "0.035"), (5, "0.037"), (7, "0.038"),
                            (10, "0.0395"), (30, "0.041"))
    ],
}  # fmt: skip


async def test_a_curve_is_bootstrapped_kept_and_evaluated_as_quantlib_does(client, admin, viewer):
    created = await client.post("/v1/curves", json=CURVE, headers=admin)
    assert created.status_code == 201, created.text
    curve = created.json()
    assert len(curve["pillars"]) == 10
    assert curve["interpolation"] == "log-linear-discount"
    dates = "2031-03-01,2035-06-14,2052-01-01,2065-06-14"
    theirs = quantlib_curve()
    for quantity in ("discount", "zero"):
        response = await client.get(
            f"/v1/curves/{curve['id']}/{quantity}", params={"dates": dates}, headers=viewer
        )
        assert response.status_code == 200, response.text
        for item in response.json()["values"]:
            when = oracle.qdate(date.fromisoformat(item["date"]))
            expected = (
                theirs.discount(when) if quantity == "discount"
                else theirs.zeroRate(when, ql.Actual365Fixed(), ql.Continuous).rate()
            )  # fmt: skip
            assert item["value"] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"dates": "2031-02-30"}, 422, "invalid-dates"),
        ({"dates": "2020-01-01"}, 422, "invalid-dates"),
        ({"dates": ""}, 422, "invalid-dates"),
    ],
)
async def test_bad_dates_are_problems(client, admin, viewer, params, status, kind):
    curve = (await client.post("/v1/curves", json=CURVE, headers=admin)).json()
    response = await client.get(f"/v1/curves/{curve['id']}/forward", params=params, headers=viewer)
    assert response.status_code == status
    assert response.json()["type"] == PROBLEM + kind


async def test_only_an_admin_builds_curves_and_bad_instruments_are_refused(client, admin, viewer):
    assert (await client.post("/v1/curves", json=CURVE, headers=viewer)).status_code == 403
    empty = await client.post("/v1/curves", json={**CURVE, "deposits": [], "par_bonds": []},
                              headers=admin)  # fmt: skip
    assert empty.json()["type"] == PROBLEM + "invalid-curve"
    twice = {**CURVE, "deposits": CURVE["deposits"] * 2}
    assert (await client.post("/v1/curves", json=twice, headers=admin)).json()["type"] == (
        PROBLEM + "invalid-curve"
    )
    missing = await client.get("/v1/curves/0190f1c4-0000-7000-8000-000000000000", headers=viewer)
    assert missing.status_code == 404


async def test_a_z_spread_prices_a_bond_as_quantlib_does_and_a_price_gives_its_z_spread(
    client, admin, viewer
):
    curve = (await client.post("/v1/curves", json=CURVE, headers=admin)).json()
    bond = {"coupon_rate": "0.045", "issue_date": "2029-02-15", "maturity_date": "2041-02-15",
            "day_count": "ACT/ACT ICMA", "calendar": "US-GOVT"}  # fmt: skip
    body = {
        "settlement_date": "2030-09-03",
        "measures": ["clean_price", "z_spread", "yield"],
        "items": [
            {"bond": bond, "curve_id": curve["id"], "z_spread": 0.0125},
            {"bond": bond, "curve_id": curve["id"], "clean_price": 101.0},
            {"bond": bond, "z_spread": 0.01},
            {"bond": bond, "curve_id": curve["id"], "z_spread": 3.0},
            {"bond": bond, "curve_id": "0190f1c4-0000-7000-8000-000000000000", "yield": 0.04},
        ],
    }
    response = await client.post("/v1/analytics/bonds:batch", json=body, headers=viewer)
    assert response.status_code == 200, response.text
    first, second, *bad = response.json()["results"]
    terms = BondTerms(BondType.FIXED, date(2029, 2, 15), date(2041, 2, 15), 0.045, 2,
                      DayCount.ACT_ACT_ICMA, "US-GOVT")  # fmt: skip
    ql_bond, when = oracle.bond(terms), oracle.qdate(date(2030, 9, 3))
    expected = ql.BondFunctions.cleanPrice(
        ql_bond, quantlib_curve(), 0.0125, ql.Actual365Fixed(), ql.Continuous, ql.Annual, when
    )
    assert first["clean_price"] == pytest.approx(expected, abs=1e-10)
    assert first["z_spread"] == 0.0125
    expected_z = ql.BondFunctions.zSpread(
        ql_bond, ql.BondPrice(101.0, ql.BondPrice.Clean), quantlib_curve(), ql.Continuous,
        ql.Annual, when, 1e-14, 100, 0.0,
    )  # fmt: skip
    assert second["z_spread"] == pytest.approx(expected_z, abs=1e-12)
    kinds = [r["problem"]["type"].removeprefix(PROBLEM) for r in bad]
    assert kinds == ["invalid-item", "invalid-spread", "unknown-curve"]


async def test_a_date_where_the_curve_overflows_is_a_problem_not_an_error(client, admin, viewer):
    steep = {"name": "steep", "reference_date": "2030-06-14",
             "deposits": [{"maturity_date": "2030-07-14", "rate": "-11.9"}]}  # fmt: skip
    curve = (await client.post("/v1/curves", json=steep, headers=admin)).json()
    response = await client.get(
        f"/v1/curves/{curve['id']}/discount", params={"dates": "9999-12-31"}, headers=viewer
    )
    assert response.status_code == 422
    assert response.json()["type"] == PROBLEM + "invalid-dates"


async def test_a_batch_measures_g_spread_and_key_rate_durations_against_a_stored_curve(
    client, admin, viewer
):
    curve = (await client.post("/v1/curves", json=CURVE, headers=admin)).json()
    bond = {"coupon_rate": "0.045", "issue_date": "2029-02-15", "maturity_date": "2041-02-15",
            "day_count": "ACT/ACT ICMA", "calendar": "US-GOVT"}  # fmt: skip
    body = {
        "settlement_date": "2030-09-03",
        "measures": ["yield", "g_spread", "key_rate_durations"],
        "items": [
            {"bond": bond, "curve_id": curve["id"], "clean_price": 101.0},
            {"bond": bond, "clean_price": 101.0},
        ],
    }
    response = await client.post("/v1/analytics/bonds:batch", json=body, headers=viewer)
    assert response.status_code == 200, response.text
    with_curve, without = response.json()["results"]
    when = oracle.qdate(date(2030, 9, 3))
    benchmark = (
        quantlib_curve()
        .forwardRate(
            when, oracle.qdate(date(2041, 2, 15)), ql.Actual365Fixed(), ql.Compounded, ql.Semiannual
        )
        .rate()
    )
    assert with_curve["g_spread"] == pytest.approx(with_curve["yield"] - benchmark, abs=1e-12)
    tenors = [entry["tenor"] for entry in with_curve["key_rate_durations"]]
    assert tenors == ["3M", "6M", "1Y", "2Y", "3Y", "5Y", "7Y", "10Y", "20Y", "30Y"]
    assert (without["g_spread"], without["key_rate_durations"]) == (None, None)


@pytest.mark.parametrize("interpolation", ["linear-zero", "monotone-convex"])
async def test_a_curve_from_ois_and_swaps_is_kept_and_evaluated(
    client, admin, viewer, interpolation
):
    body = {
        "name": "USD OIS",
        "reference_date": REFERENCE.isoformat(),
        "interpolation": interpolation,
        "deposits": [{"maturity_date": "2030-09-14", "rate": "0.032"}],
        "ois": [{"maturity_date": f"{2030 + y}-06-14", "rate": r}
                for y, r in ((1, "0.0345"), (2, "0.0352"), (5, "0.0374"))],
        "swaps": [{"maturity_date": "2040-06-14", "rate": "0.0399"}],
    }  # fmt: skip
    created = await client.post("/v1/curves", json=body, headers=admin)
    assert created.status_code == 201, created.text
    curve = created.json()
    assert curve["interpolation"] == interpolation
    assert len(curve["pillars"]) == 6  # time 0 and five instruments
    zeros = await client.get(
        f"/v1/curves/{curve['id']}/zero", params={"dates": "2033-06-14"}, headers=viewer
    )
    assert zeros.status_code == 200
    value = zeros.json()["values"][0]["value"]
    assert 0.03 < value < 0.045


async def test_a_nelson_siegel_curve_is_fitted_to_stored_and_inline_bonds(client, admin, viewer):
    notes: list[dict[str, Any]] = []
    for years, coupon, price in (
        (2, "0.03", 99.1),
        (4, "0.035", 98.7),
        (7, "0.04", 99.4),
        (10, "0.04", 97.9),
        (15, "0.045", 100.2),
        (25, "0.045", 98.0),
    ):
        notes.append({"bond": {"coupon_rate": coupon, "issue_date": "2030-01-15",
                               "maturity_date": f"{2030 + years}-01-15",
                               "day_count": "ACT/ACT ICMA", "calendar": "US-GOVT"},
                      "clean_price": price})  # fmt: skip
    first: dict[str, Any] = notes[0]["bond"]
    stored = await client.post("/v1/bonds", json={"name": "stored", **first}, headers=admin)
    notes[0] = {"bond_id": stored.json()["id"], "clean_price": 99.1}
    body = {"name": "NS", "reference_date": "2030-06-14", "interpolation": "nelson-siegel",
            "bonds": notes}  # fmt: skip
    created = await client.post("/v1/curves", json=body, headers=admin)
    assert created.status_code == 201, created.text
    curve = created.json()
    assert set(curve["parameters"]) == {"beta0", "beta1", "beta2", "tau1"}
    assert curve["pillars"] == []
    discount = await client.get(
        f"/v1/curves/{curve['id']}/discount", params={"dates": "2035-06-14"}, headers=viewer
    )
    assert 0.7 < discount.json()["values"][0]["value"] < 0.9
    mixed = {**body, "deposits": [{"maturity_date": "2030-09-14", "rate": "0.03"}]}
    refused = await client.post("/v1/curves", json=mixed, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["type"] == PROBLEM + "invalid-curve"


async def test_an_frn_is_stored_and_priced_on_a_curve_its_coupons_projected(client, admin, viewer):
    curve = (await client.post("/v1/curves", json=CURVE, headers=admin)).json()
    frn = {"name": "SOFR FRN", "bond_type": "frn", "issue_date": "2030-06-14",
           "maturity_date": "2035-06-14", "frequency": 4, "day_count": "ACT/360",
           "calendar": "US-GOVT", "spread": "0.0045", "lookback_days": 2}  # fmt: skip
    created = await client.post("/v1/bonds", json=frn, headers=admin)
    assert created.status_code == 201, created.text
    bond_id = created.json()["id"]
    assert (created.json()["spread"], created.json()["lookback_days"]) == ("0.0045", 2)
    flows = await client.get(f"/v1/bonds/{bond_id}/cashflows", headers=viewer)
    assert flows.json()["type"] == PROBLEM + "curve-required"
    projected = await client.get(
        f"/v1/bonds/{bond_id}/cashflows", params={"curve_id": curve["id"]}, headers=viewer
    )
    coupons = [f for f in projected.json()["cashflows"] if f["kind"] == "coupon"]
    assert len(coupons) == 20
    assert all(0.8 < float(c["amount"]) < 1.3 for c in coupons)  # 3.3-4.6 % a quarter
    body = {
        "settlement_date": "2030-09-03",
        "measures": ["clean_price", "yield", "z_spread"],
        "items": [
            {"bond_id": bond_id, "curve_id": curve["id"], "z_spread": 0.0045},
            {"bond_id": bond_id, "clean_price": 100.0},
        ],
    }
    response = await client.post("/v1/analytics/bonds:batch", json=body, headers=viewer)
    priced, refused = response.json()["results"]
    # Discounted at the curve plus its own spread, the note is worth about par.
    assert priced["clean_price"] == pytest.approx(100.0, abs=0.05)
    assert refused["problem"]["type"] == PROBLEM + "curve-required"
