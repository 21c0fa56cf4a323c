"""Buildings, bulk units, occupancy derived from leases, valuation, the lease lifecycle."""

from __future__ import annotations


async def test_bulk_units_all_or_none(api):
    building = await api.ok("POST", "/v1/buildings", json={"name": "Oak 12"})
    path = f"/v1/buildings/{building['id']}/units/bulk"
    units = await api.ok("POST", path, json={"units": [{"label": f"{n}A"} for n in range(1, 6)]})
    assert [u["label"] for u in units] == ["1A", "2A", "3A", "4A", "5A"]
    clash = await api.call("POST", path, json={"units": [{"label": "6A"}, {"label": "1A"}]})
    assert clash.status_code == 409
    listed = await api.ok("GET", f"/v1/units?building_id={building['id']}&limit=3")
    more = await api.ok(
        "GET", f"/v1/units?building_id={building['id']}&cursor={listed['next_cursor']}"
    )
    assert [u["label"] for u in listed["items"] + more["items"]] == ["1A", "2A", "3A", "4A", "5A"]
    assert more["next_cursor"] is None


async def test_occupancy_is_derived_from_leases_on_the_date(api):
    lease = await api.lease(rent="900", start="2025-03-15", end="2025-06-10")
    building = lease["building_id"]
    await api.ok("POST", f"/v1/buildings/{building}/units", json={"label": "vacant"})

    async def occupied(as_of: str) -> list[str]:
        units = await api.ok("GET", f"/v1/units?occupancy=occupied&as_of={as_of}")
        return [u["id"] for u in units["items"]]

    assert await occupied("2025-03-14") == []
    assert await occupied("2025-03-15") == [lease["unit_id"]]
    assert await occupied("2025-06-10") == [lease["unit_id"]]
    assert await occupied("2025-06-11") == []
    vacant = await api.ok("GET", "/v1/units?occupancy=vacant&as_of=2025-04-01")
    assert [u["label"] for u in vacant["items"]] == ["vacant"]


async def test_a_second_lease_on_an_occupied_unit_is_refused(api):
    lease = await api.lease(rent="900", start="2025-03-01")
    renter = await api.ok("POST", "/v1/tenants", json={"name": "Other"})
    body = {
        "unit_id": lease["unit_id"],
        "tenant_id": renter["id"],
        "start_on": "2025-05-01",
        "rent": [{"effective_on": "2025-05-01", "amount": "900"}],
    }
    draft = await api.ok("POST", "/v1/leases", json=body)
    refused = await api.call("POST", f"/v1/leases/{draft['id']}/activate")
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("unit-occupied")


async def test_lifecycle_draft_active_renewed_and_ended(api, runs):
    lease = await api.lease(rent="1000", start="2025-01-01", end="2025-06-30")
    assert lease["status"] == "active"
    again = await api.call("POST", f"/v1/leases/{lease['id']}/activate")
    assert again.status_code == 409
    renewal = await api.ok(
        "POST", f"/v1/leases/{lease['id']}/renew", json={"end_on": "2026-06-30", "rent": "1050"}
    )
    assert renewal["start_on"] == "2025-07-01"
    assert renewal["renewal_of"] == lease["id"]
    assert (await api.ok("GET", f"/v1/leases/{lease['id']}"))["status"] == "renewed"
    await runs.rent("2025-08-01")
    old = [c["amount"] for c in (await api.ledger(lease["id"]))["charges"]]
    new = [c["amount"] for c in (await api.ledger(renewal["id"]))["charges"]]
    assert old == ["1000.00"] * 6
    assert new == ["1050.00"] * 2
    ended = await api.ok("POST", f"/v1/leases/{renewal['id']}/end", json={})
    assert ended["status"] == "ended"
    assert ended["moved_out_on"] == "2026-06-30"


async def test_rent_steps_take_effect_on_their_month(api, runs):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await api.ok(
        "POST",
        f"/v1/leases/{lease['id']}/rent-steps",
        json={"effective_on": "2025-03-01", "amount": "1100"},
    )
    await runs.rent("2025-04-01")
    amounts = [c["amount"] for c in (await api.ledger(lease["id"]))["charges"]]
    assert amounts == ["1000.00", "1000.00", "1100.00", "1100.00"]


async def test_valuation_latest_appraisal_else_purchase_price(api):
    building = await api.ok(
        "POST",
        "/v1/buildings",
        json={"name": "Pine 3", "purchase_price": "450000", "purchase_date": "2020-05-01"},
    )
    path = f"/v1/buildings/{building['id']}"
    assert await api.ok("GET", f"{path}/valuation?as_of=2024-01-01") == {
        "building_id": building["id"],
        "currency": "USD",
        "value": "450000.00",
        "method": "purchase_price",
        "as_of": "2024-01-01",
        "valued_on": "2020-05-01",
    }
    await api.ok("POST", f"{path}/appraisals", json={"value": "510000", "valued_on": "2024-06-01"})
    await api.ok("POST", f"{path}/appraisals", json={"value": "530000", "valued_on": "2025-06-01"})
    mid = await api.ok("GET", f"{path}/valuation?as_of=2025-01-01")
    assert (mid["value"], mid["method"], mid["valued_on"]) == (
        "510000.00",
        "appraisal",
        "2024-06-01",
    )
    late = await api.ok("GET", f"{path}/valuation?as_of=2026-01-01")
    assert late["value"] == "530000.00"
    early = await api.call("GET", f"{path}/valuation?as_of=2019-01-01")
    assert early.status_code == 422


async def test_another_organizations_objects_are_not_found(api):
    lease = await api.lease(rent="1000", start="2025-01-01")
    for path in (
        f"/v1/leases/{lease['id']}",
        f"/v1/leases/{lease['id']}/ledger",
        f"/v1/buildings/{lease['building_id']}",
        f"/v1/units/{lease['unit_id']}",
    ):
        assert (await api.call("GET", path, org="other-org")).status_code == 404
    assert (await api.ok("GET", "/v1/units", org="other-org"))["items"] == []
    assert (await api.ok("GET", "/v1/leases", org="other-org"))["items"] == []


async def test_audit_log_records_who_did_what_and_pages(api, runs):
    lease = await api.lease(rent="1000", start="2025-01-01")
    await api.ok(
        "POST",
        f"/v1/leases/{lease['id']}/terminate",
        json={"moved_out_on": "2025-01-20", "reason": "fire"},
    )
    for n in range(3):
        await api.ok("PUT", "/v1/settings", json={"fees_last": n % 2 == 0})
    first = await api.ok("GET", "/v1/audit-log?limit=2", role="accountant")
    assert [e["action"] for e in first["items"]] == ["settings.change", "settings.change"]
    assert first["items"][0]["before"] == {"fees_last": False}
    assert first["items"][0]["after"] == {"fees_last": True}
    assert first["items"][0]["request_id"]
    rest = await api.ok("GET", f"/v1/audit-log?limit=5&cursor={first['next_cursor']}")
    assert [e["action"] for e in rest["items"]] == ["settings.change", "lease.terminate"]
    assert rest["items"][1]["actor"] == "owner-1"
    assert rest["items"][1]["after"]["reason"] == "fire"
    assert rest["next_cursor"] is None
    assert (await api.call("GET", "/v1/audit-log", role="viewer")).status_code == 403


async def test_bad_lifecycle_input_is_a_problem(api):
    lease = await api.lease(rent="1000", start="2025-01-01", end="2025-06-30")
    zero = await api.call("POST", f"/v1/leases/{lease['id']}/renew", json={"rent": "0"})
    assert zero.status_code == 422
    early = await api.call(
        "POST", f"/v1/leases/{lease['id']}/end", json={"moved_out_on": "2024-12-01"}
    )
    assert early.status_code == 422
    payment = await api.pay(lease["id"], "10", "2025-01-05")
    back = await api.call(
        "POST",
        f"/v1/payments/{payment['id']}/reverse",
        json={"kind": "nsf", "reason": "x", "reversed_on": "2025-01-01"},
    )
    assert back.status_code == 422
    step = await api.call(
        "POST",
        f"/v1/leases/{lease['id']}/rent-steps",
        json={"effective_on": "2025-01-01", "amount": "1200"},
    )
    assert step.status_code == 409


async def test_units_and_tenants_change_and_units_archive_when_free(api):
    lease = await api.lease(rent="1000", start="2025-01-01")
    busy = await api.call("DELETE", f"/v1/units/{lease['unit_id']}")
    assert busy.status_code == 409
    free = await api.ok("POST", f"/v1/buildings/{lease['building_id']}/units", json={"label": "F"})
    renamed = await api.ok("PATCH", f"/v1/units/{free['id']}", json={"market_rent": "1250"})
    assert renamed["market_rent"] == "1250.00"
    assert (await api.call("DELETE", f"/v1/units/{free['id']}")).status_code == 204
    assert [u["id"] for u in (await api.ok("GET", "/v1/units"))["items"]] == [lease["unit_id"]]
    renter = await api.ok("PATCH", f"/v1/tenants/{lease['tenant_id']}", json={"phone": "555-0100"})
    assert (renter["name"], renter["phone"]) == ("Dana Renter", "555-0100")
