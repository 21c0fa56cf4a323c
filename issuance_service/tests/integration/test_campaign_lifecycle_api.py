"""Campaigns through the API: draft → submitted → approved → active, compliance's four eyes,
extension, early close, progress, valuation."""

from datetime import datetime, timedelta

import pytest


@pytest.fixture
async def issuer(platform):
    return await platform.verified_issuer()


async def test_a_campaign_goes_live_through_compliance(platform, issuance, clock, issuer):
    campaign = await platform.draft(issuer["id"])
    assert campaign["status"] == "draft"
    assert campaign["certificate_asset"].startswith("CF-")
    path = f"/v1/campaigns/{campaign['id']}"
    manager = issuance.as_("manager", "issuer-manager", issuer_id=issuer["id"])
    assert (await issuance.post(f"{path}/submit", headers=manager)).json()["status"] == "submitted"
    approved = await issuance.post(
        f"{path}/review",
        json={"decision": "approve", "reason": "Form C complete"},
        headers=issuance.as_("compliance", "officer-1"),
    )
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == "officer-1"
    live = (await issuance.post(f"{path}/launch", headers=manager)).json()
    assert live["status"] == "active"
    assert datetime.fromisoformat(live["deadline"]) == clock.now + timedelta(days=30)


async def test_the_issuers_own_user_cannot_approve_its_campaign(platform, issuance, issuer):
    campaign = await platform.draft(issuer["id"])
    path = f"/v1/campaigns/{campaign['id']}"
    await issuance.post(f"{path}/submit", headers=issuance.as_("manager", "issuer-manager"))
    insider = issuance.as_("compliance", "insider", issuer_id=issuer["id"])
    creator = issuance.as_("compliance", "issuer-manager")  # the user who drafted it
    for headers in (insider, creator, issuance.as_("admin"), issuance.as_("owner")):
        response = await issuance.post(
            f"{path}/review", json={"decision": "approve", "reason": "fine by me"}, headers=headers
        )
        assert response.status_code == 403, headers
    got = await issuance.get(path, headers=issuance.as_("owner"))
    assert got.json()["status"] == "submitted"


async def test_compliance_may_send_a_submission_back_to_draft(platform, issuance, issuer):
    campaign = await platform.draft(issuer["id"])
    path = f"/v1/campaigns/{campaign['id']}"
    await issuance.post(f"{path}/submit", headers=issuance.as_("manager", "issuer-manager"))
    response = await issuance.post(
        f"{path}/review",
        json={"decision": "reject", "reason": "financials missing"},
        headers=issuance.as_("compliance", "officer-1"),
    )
    assert (response.json()["status"], response.json()["review_reason"]) == (
        "draft",
        "financials missing",
    )


async def test_a_draft_cannot_launch_and_an_unverified_issuer_cannot_submit(
    platform, issuance, books
):
    cash = await books.user("fresh")
    fresh = await issuance.post(
        "/v1/issuers",
        json={"name": "Fresh", "cash_account_id": str(cash)},
        headers=issuance.as_("manager"),
    )
    campaign = await platform.draft(fresh.json()["id"])
    path = f"/v1/campaigns/{campaign['id']}"
    launch = await issuance.post(f"{path}/launch", headers=issuance.as_("manager"))
    assert (launch.status_code, launch.json()["type"]) == (
        409,
        "urn:finfleet:problem:campaign-state",
    )
    submit = await issuance.post(f"{path}/submit", headers=issuance.as_("manager"))
    assert submit.json()["type"] == "urn:finfleet:problem:issuer-not-verified"


@pytest.mark.parametrize(
    ("override", "kind"),
    [
        ({"duration_days": 20}, "duration-too-short"),
        ({"min_target": "6000.00"}, "invalid-targets"),
        ({"min_target": "1005.00"}, "invalid-targets"),
    ],
)
async def test_bad_campaign_terms_are_refused(issuance, issuer, override, kind):
    body = {
        "issuer_id": issuer["id"],
        "name": "Seed",
        "unit_price": "10.00",
        "min_target": "1000.00",
        "max_target": "5000.00",
        "duration_days": 30,
        "allowed_jurisdictions": ["US"],
        **override,
    }
    response = await issuance.post("/v1/campaigns", json=body, headers=issuance.as_("manager"))
    assert (response.status_code, response.json()["type"]) == (422, f"urn:finfleet:problem:{kind}")


async def test_one_extension_only(platform, issuance, clock):
    campaign = await platform.live()
    path = f"/v1/campaigns/{campaign['id']}/extend"
    later = datetime.fromisoformat(campaign["deadline"]) + timedelta(days=10)
    manager = issuance.as_("manager")
    first = await issuance.post(path, json={"new_deadline": later.isoformat()}, headers=manager)
    assert first.json()["extensions_used"] == 1
    assert datetime.fromisoformat(first.json()["deadline"]) == later
    again = await issuance.post(
        path, json={"new_deadline": (later + timedelta(days=1)).isoformat()}, headers=manager
    )
    assert (again.status_code, again.json()["type"]) == (
        409,
        "urn:finfleet:problem:extension-used",
    )


async def test_early_close_needs_the_target_then_gives_notice(platform, issuance, clock):
    # 40 days: 22 in, the notice (5 business days, 7 to 10 calendar days with holidays) still
    # ends before the deadline, whatever the date the suite runs on.
    campaign = await platform.live(min_target="1000.00", duration_days=40)
    path = f"/v1/campaigns/{campaign['id']}"
    refused = await issuance.post(f"{path}/early-close", headers=issuance.as_("manager"))
    assert refused.json()["type"] == "urn:finfleet:problem:target-not-met"
    await platform.investor("ann")
    assert (await platform.pledge(campaign["id"], "ann", "1000.00")).status_code == 201
    clock.travel(timedelta(days=22))
    closed = await issuance.post(f"{path}/early-close", headers=issuance.as_("manager"))
    assert closed.status_code == 200, closed.text
    deadline = datetime.fromisoformat(closed.json()["deadline"])
    assert timedelta(days=7) <= deadline - clock.now <= timedelta(days=10)  # 5 business days
    assert deadline < datetime.fromisoformat(campaign["deadline"])


async def test_progress_and_valuation(platform, issuance):
    campaign = await platform.live()
    await platform.investor("ann")
    await platform.investor("bob")
    await platform.pledge(campaign["id"], "ann", "300.00")
    await platform.pledge(campaign["id"], "bob", "450.00")
    await platform.pledge(campaign["id"], "ann", "100.00")
    progress = await issuance.get(
        f"/v1/campaigns/{campaign['id']}/progress", headers=issuance.as_("investor", "ann")
    )
    body = progress.json()
    assert (body["raised"], body["pledges"], body["investors"]) == ("850.00", 3, 2)
    assert (body["percent_of_min_target"], body["left_below_max_target"]) == ("85.00", "4150.00")
    assert body["min_target_met"] is False
    valuation = await issuance.get(
        f"/v1/campaigns/{campaign['id']}/valuation",
        params={"as_of": "2026-12-31"},
        headers=issuance.as_("owner"),
    )
    assert valuation.json() == {
        "campaign_id": campaign["id"],
        "asset": campaign["certificate_asset"],
        "currency": "USD",
        "price_per_unit": "10.00",
        "method": "issue_price",
        "as_of": "2026-12-31",
    }


async def test_campaigns_are_listed_by_status_a_page_at_a_time_within_the_tenant(
    platform, issuance, issuer
):
    live = await platform.live(name="Live round")
    draft = await platform.draft(issuer["id"], name="Draft round")
    owner = issuance.as_("owner")

    everything = (await issuance.get("/v1/campaigns", headers=owner)).json()
    active = (await issuance.get("/v1/campaigns?status=active", headers=owner)).json()
    first = (await issuance.get("/v1/campaigns?limit=1", headers=owner)).json()
    rest = await issuance.get(
        "/v1/campaigns", params={"limit": 1, "cursor": first["next_cursor"]}, headers=owner
    )
    elsewhere = await issuance.get("/v1/campaigns", headers=issuance.as_("owner", tenant="other"))
    unknown_status = await issuance.get("/v1/campaigns?status=open", headers=owner)

    assert {c["id"] for c in everything["items"]} == {live["id"], draft["id"]}
    assert [c["id"] for c in active["items"]] == [live["id"]]
    assert {first["items"][0]["id"], rest.json()["items"][0]["id"]} == {live["id"], draft["id"]}
    assert rest.json()["next_cursor"] is None
    assert elsewhere.json() == {"items": [], "next_cursor": None}
    assert unknown_status.status_code == 422
    assert unknown_status.headers["content-type"] == "application/problem+json"
