"""Bonds as reference data on real Postgres: admin writes, every role reads, problems typed."""

from __future__ import annotations

import pytest

PROBLEM = "urn:finfleet:problem:"
NOTE = {
    "name": "UST 4.25% 15 May 2035",
    "isin": "US91282CMU24",
    "currency": "USD",
    "bond_type": "fixed",
    "coupon_rate": "0.0425",
    "issue_date": "2025-05-15",
    "maturity_date": "2035-05-15",
    "frequency": 2,
    "day_count": "ACT/ACT ICMA",
    "calendar": "US-GOVT",
    "payment_convention": "following",
}


async def test_an_admin_adds_a_bond_and_every_role_reads_it_with_its_conventions(
    client, admin, viewer
):
    created = await client.post("/v1/bonds", json=NOTE, headers=admin)
    assert created.status_code == 201, created.text
    bond = created.json()
    fetched = await client.get(f"/v1/bonds/{bond['id']}", headers=viewer)
    assert fetched.status_code == 200
    assert fetched.json()["day_count"] == "ACT/ACT ICMA"
    assert fetched.json()["calendar"] == "US-GOVT"
    assert fetched.json()["end_of_month"] is False
    listed = await client.get("/v1/bonds", headers=viewer)
    assert [b["isin"] for b in listed.json()["items"]] == ["US91282CMU24"]


async def test_a_viewer_cannot_add_a_bond(client, viewer):
    response = await client.post("/v1/bonds", json=NOTE, headers=viewer)
    assert response.status_code == 403


async def test_the_same_isin_twice_is_a_conflict(client, admin):
    assert (await client.post("/v1/bonds", json=NOTE, headers=admin)).status_code == 201
    again = await client.post("/v1/bonds", json=NOTE, headers=admin)
    assert again.status_code == 409
    assert again.json()["type"] == PROBLEM + "duplicate-bond"


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"calendar": "MARS"}, "unknown-calendar"),
        ({"maturity_date": "2020-01-01"}, "invalid-schedule"),
        ({"first_coupon_date": "2040-01-01"}, "invalid-schedule"),
        ({"bond_type": "zero"}, "invalid-bond"),
        ({"day_count": "ACT/366"}, "validation-error"),
        ({"frequency": 3}, "validation-error"),
        ({"bond_type": "amortizing", "amortization": [{"date": "2026-01-01", "percent": "10"}]},
         "invalid-amortization"),
    ],
)  # fmt: skip
async def test_bad_terms_are_problems_with_a_stable_type(client, admin, change, kind):
    response = await client.post("/v1/bonds", json={**NOTE, **change}, headers=admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == PROBLEM + kind


async def test_cashflows_after_settlement_skip_holidays(client, admin, viewer):
    bond = (await client.post("/v1/bonds", json=NOTE, headers=admin)).json()
    response = await client.get(
        f"/v1/bonds/{bond['id']}/cashflows", params={"settlement_date": "2034-06-01"},
        headers=viewer,
    )  # fmt: skip
    assert response.status_code == 200
    flows = response.json()["cashflows"]
    # 15 Nov 2034 is a Wednesday; 15 May 2035 a Tuesday: both paid on the day.
    assert [(f["payment_date"], f["kind"], f["amount"]) for f in flows] == [
        ("2034-11-15", "coupon", "2.125"),
        ("2035-05-15", "coupon", "2.125"),
        ("2035-05-15", "principal", "100"),
    ]
    assert response.json()["conventions"]["day_count"] == "ACT/ACT ICMA"


async def test_an_unknown_bond_is_404_and_calendars_name_their_source(client, viewer):
    missing = await client.get("/v1/bonds/0190f1c4-0000-7000-8000-000000000000", headers=viewer)
    assert missing.status_code == 404
    assert missing.json()["type"] == PROBLEM + "unknown-bond"
    calendars = (await client.get("/v1/calendars", headers=viewer)).json()
    assert {c["name"] for c in calendars} >= {"US-GOVT", "TARGET", "UK"}
