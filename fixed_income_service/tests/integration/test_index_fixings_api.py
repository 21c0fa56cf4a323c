"""Index fixings on real Postgres: admin writes once, the same again is a no-op, a changed rate
is refused whole; every role reads them."""

from __future__ import annotations

PROBLEM = "urn:finfleet:problem:"
FIXINGS = {
    "fixings": [
        {"fixing_date": "2026-03-02", "rate": "0.0431"},
        {"fixing_date": "2026-03-03", "rate": "0.04305"},
    ]
}


async def test_an_admin_records_fixings_and_every_role_reads_them_as_decimals(
    client, admin, viewer
):
    created = await client.post("/v1/indices/SOFR/fixings", json=FIXINGS, headers=admin)
    assert created.status_code == 200, created.text
    read = await client.get(
        "/v1/indices/SOFR/fixings", params={"from": "2026-03-01", "to": "2026-03-31"},
        headers=viewer,
    )  # fmt: skip
    assert read.status_code == 200
    assert read.json() == {
        "index": "SOFR",
        "fixings": [
            {"fixing_date": "2026-03-02", "rate": "0.0431"},
            {"fixing_date": "2026-03-03", "rate": "0.04305"},
        ],
    }
    other = await client.get(
        "/v1/indices/SONIA/fixings", params={"from": "2026-03-01", "to": "2026-03-31"},
        headers=viewer,
    )  # fmt: skip
    assert other.json()["fixings"] == []


async def test_sending_the_same_fixings_again_changes_nothing(client, admin, viewer):
    assert (await client.post("/v1/indices/SOFR/fixings", json=FIXINGS, headers=admin)).is_success
    again = await client.post(
        "/v1/indices/SOFR/fixings",
        json={"fixings": [{"fixing_date": "2026-03-02", "rate": "0.043100"}]},
        headers=admin,
    )
    assert again.status_code == 200, again.text


async def test_a_changed_rate_is_a_conflict_and_nothing_of_that_request_is_stored(
    client, admin, viewer
):
    assert (await client.post("/v1/indices/SOFR/fixings", json=FIXINGS, headers=admin)).is_success
    changed = await client.post(
        "/v1/indices/SOFR/fixings",
        json={"fixings": [
            {"fixing_date": "2026-03-04", "rate": "0.0430"},
            {"fixing_date": "2026-03-03", "rate": "0.0499"},
        ]},
        headers=admin,
    )  # fmt: skip
    assert changed.status_code == 409
    assert changed.json()["type"] == PROBLEM + "fixing-conflict"
    read = await client.get(
        "/v1/indices/SOFR/fixings", params={"from": "2026-03-01", "to": "2026-03-31"},
        headers=viewer,
    )  # fmt: skip
    assert [f["fixing_date"] for f in read.json()["fixings"]] == ["2026-03-02", "2026-03-03"]
    assert read.json()["fixings"][1]["rate"] == "0.04305"


async def test_only_an_admin_writes_fixings_and_bad_input_is_a_problem(client, admin, viewer):
    denied = await client.post("/v1/indices/SOFR/fixings", json=FIXINGS, headers=viewer)
    assert denied.status_code == 403
    bodies: list[dict[str, object]] = [
        {"fixings": [{"fixing_date": "2026-03-02", "rate": "4.31"}]},
        {"fixings": [{"fixing_date": "2026-03-02", "rate": 0.0431}]},
        {"fixings": []},
    ]
    for body in bodies:
        refused = await client.post("/v1/indices/SOFR/fixings", json=body, headers=admin)
        assert refused.status_code == 422, body
    twice = await client.post(
        "/v1/indices/SOFR/fixings",
        json={"fixings": [
            {"fixing_date": "2026-03-02", "rate": "0.01"},
            {"fixing_date": "2026-03-02", "rate": "0.02"},
        ]},
        headers=admin,
    )  # fmt: skip
    assert twice.json()["type"] == PROBLEM + "fixing-conflict"
    lower = await client.post("/v1/indices/sofr/fixings", json=FIXINGS, headers=admin)
    assert lower.status_code == 422
    backwards = await client.get(
        "/v1/indices/SOFR/fixings", params={"from": "2026-03-31", "to": "2026-03-01"},
        headers=viewer,
    )  # fmt: skip
    assert backwards.json()["type"] == PROBLEM + "invalid-dates"
