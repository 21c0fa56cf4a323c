"""Investors: the Reg CF limit computed across campaigns, and the policy on who may invest."""

import pytest


async def test_the_limit_counts_every_campaign_of_the_last_12_months(platform, issuance):
    first = await platform.live()
    second = await platform.live()
    ann = await platform.investor("ann", income="80000", net_worth="50000")  # limit 4,000
    assert (await platform.pledge(first["id"], "ann", "2500.00")).status_code == 201
    assert (await platform.pledge(second["id"], "ann", "1000.00")).status_code == 201
    limits = await issuance.get(
        f"/v1/investors/{ann['id']}/limits", headers=issuance.as_("investor", "ann")
    )
    body = limits.json()
    assert (body["limit"], body["invested_last_12_months"], body["remaining"]) == (
        "4000.00",
        "3500.00",
        "500.00",
    )
    assert body["rule"] == "five_percent"
    assert "5% of income $80,000.00" in body["explanation"]
    over = await platform.pledge(second["id"], "ann", "510.00")
    assert (over.status_code, over.json()["type"]) == (
        422,
        "urn:finfleet:problem:investment-limit-exceeded",
    )
    assert "left $500.00" in over.json()["explanation"]
    assert (await platform.pledge(second["id"], "ann", "500.00")).status_code == 201


async def test_a_canceled_pledge_frees_its_share_of_the_limit(platform, issuance):
    campaign = await platform.live()
    ann = await platform.investor("ann", income="0", net_worth="0")  # limit 2,500
    pledge = (await platform.pledge(campaign["id"], "ann", "2500.00")).json()
    await issuance.post(
        f"/v1/investments/{pledge['id']}/cancel", headers=issuance.as_("investor", "ann")
    )
    limits = await issuance.get(
        f"/v1/investors/{ann['id']}/limits", headers=issuance.as_("compliance")
    )
    assert limits.json()["remaining"] == "2500.00"


async def test_accredited_investors_have_no_limit(platform, issuance):
    campaign = await platform.live()
    rich = await platform.investor("rich", cash="5000", accredited=True, income="0", net_worth="0")
    assert (await platform.pledge(campaign["id"], "rich", "5000.00")).status_code == 201
    limits = (
        await issuance.get(f"/v1/investors/{rich['id']}/limits", headers=issuance.as_("owner"))
    ).json()
    assert (limits["limit"], limits["remaining"], limits["rule"]) == (None, None, "accredited")


@pytest.mark.parametrize(
    ("profile", "campaign_terms", "reason"),
    [
        ({"kyc": "pending"}, {}, "kyc_verified"),
        ({"kyc": "rejected"}, {}, "kyc_verified"),
        ({"jurisdiction": "FR"}, {}, "jurisdiction_allowed"),
        ({}, {"requires_accreditation": True}, "accreditation_if_required"),
    ],
)
async def test_the_policy_decides_who_may_invest(
    platform, issuance, profile, campaign_terms, reason
):
    campaign = await platform.live(**campaign_terms)
    await platform.investor("eve", **profile)
    response = await platform.pledge(campaign["id"], "eve", "100.00")
    assert response.status_code == 403
    assert reason in response.json()["detail"]


async def test_an_accredited_investor_may_join_an_accredited_only_campaign(platform):
    campaign = await platform.live(requires_accreditation=True)
    await platform.investor("acc", accredited=True)
    assert (await platform.pledge(campaign["id"], "acc", "100.00")).status_code == 201


async def test_staff_cannot_invest_and_an_unregistered_user_is_told_to_register(platform, issuance):
    campaign = await platform.live()
    path = f"/v1/campaigns/{campaign['id']}/investments"
    key = {"Idempotency-Key": "k-1"}
    staff = await issuance.post(
        path, json={"amount": "100.00"}, headers={**issuance.as_("admin"), **key}
    )
    assert staff.status_code == 403
    stranger = await issuance.post(
        path, json={"amount": "100.00"}, headers={**issuance.as_("investor", "nobody"), **key}
    )
    assert stranger.status_code == 403
    assert "register" in stranger.json()["detail"]


async def test_an_investor_sees_only_their_own_profile(platform, issuance):
    ann = await platform.investor("ann")
    await platform.investor("bob")
    mine = await issuance.get(f"/v1/investors/{ann['id']}", headers=issuance.as_("investor", "ann"))
    assert mine.status_code == 200
    theirs = await issuance.get(
        f"/v1/investors/{ann['id']}/limits", headers=issuance.as_("investor", "bob")
    )
    assert theirs.status_code == 403
    other_tenant = await issuance.get(
        f"/v1/investors/{ann['id']}", headers=issuance.as_("owner", tenant="elsewhere")
    )
    assert other_tenant.status_code == 404


async def test_an_investor_cannot_review_themselves(platform, issuance):
    ann = await platform.investor("ann", kyc="pending")
    response = await issuance.post(
        f"/v1/investors/{ann['id']}/review",
        json={"kyc_status": "verified", "accredited": True, "reason": "trust me"},
        headers=issuance.as_("compliance", "ann"),
    )
    assert response.status_code == 403
