"""Pledges held in the REAL ledger's escrow, then the close: a campaign that succeeds (holds
posted, escrow released to the issuer minus the fee, certificate units credited) and one that
fails (every hold voided, nothing issued). The ledger's invariants hold after both."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from issuance_service.books.accounts import escrow_account, fee_account, holding_account
from issuance_service.investments.closing import close_due

D = Decimal
TENANT = "portal"


@pytest.fixture
def close(issuance_app, clock):
    async def run() -> int:
        return await close_due(issuance_app.state.engine, issuance_app.state.books, clock.now)

    return run


async def events(engine, prefix: str = "issuance.") -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT type FROM outbox WHERE type LIKE :p ORDER BY created_at, id"),
            {"p": f"{prefix}%"},
        )
        return [row[0] for row in rows]


async def status_of(issuance, path: str) -> str:
    status: str = (await issuance.get(path, headers=issuance.as_("owner"))).json()["status"]
    return status


async def test_a_successful_campaign_releases_escrow_and_issues_certificates(
    platform, issuance, issuance_app, books, books_clean, clock, close
):
    campaign = await platform.live(min_target="3000.00", platform_fee_bps=500)
    cid = campaign["id"]
    ann = await platform.investor("ann", cash="10000")
    bob = await platform.investor("bob", cash="10000")
    cat = await platform.investor("cat", cash="10000")
    a = (await platform.pledge(cid, "ann", "2000.00")).json()
    b = (await platform.pledge(cid, "bob", "1500.00")).json()
    c = (await platform.pledge(cid, "cat", "500.00")).json()
    assert [a["status"], b["status"], c["status"]] == ["pledged"] * 3
    assert (await books.balance(ann["cash_account_id"]))["available"] == D("8000.00")
    escrow = escrow_account(TENANT, uuid.UUID(cid), "USD/2").id
    assert (await books.balance(escrow))["pending"] == D("4000.00")
    canceled = await issuance.post(
        f"/v1/investments/{c['id']}/cancel", headers=issuance.as_("investor", "cat")
    )
    assert canceled.json()["status"] == "canceled"
    assert (await books.balance(cat["cash_account_id"]))["available"] == D("10000.00")

    clock.travel(timedelta(days=29, hours=23))
    assert await close() == 0  # not due yet
    clock.travel(timedelta(hours=1))
    assert await close() == 1
    assert await close() == 0  # exactly once: a second run finds nothing to do

    got = (await issuance.get(f"/v1/campaigns/{cid}", headers=issuance.as_("owner"))).json()
    assert (got["status"], got["raised"]) == ("successful", "3500.00")
    assert got["settled_at"] is not None
    assert [await status_of(issuance, f"/v1/investments/{x['id']}") for x in (a, b, c)] == [
        "confirmed",
        "confirmed",
        "canceled",
    ]
    # 3,500 raised, fee 5% = 175.00, the issuer gets 3,325.00; escrow is empty.
    assert (await books.balance(platform.issuer_cash))["posted"] == D("3325.00")
    assert (await books.balance(fee_account(TENANT, "USD/2").id))["posted"] == D("175.00")
    assert (await books.balance(escrow)) == {
        "posted": D("0.00"),
        "pending": D("0.00"),
        "available": D("0.00"),
    }
    assert (await books.balance(ann["cash_account_id"]))["posted"] == D("8000.00")
    assert (await books.balance(bob["cash_account_id"]))["posted"] == D("8500.00")
    assert (await books.balance(cat["cash_account_id"]))["posted"] == D("10000.00")
    # The cap table: units at 10.00 each, in the campaign's certificate asset.
    asset = campaign["certificate_asset"]
    cap_table = {}
    for who in (ann, bob, cat):
        cash = await books.ledger.get(
            f"/v1/accounts/{who['cash_account_id']}", headers=books.ledger.owner_headers()
        )
        holding = holding_account(
            TENANT, uuid.UUID(who["cash_account_id"]), cash.json()["name"], asset
        )
        cap_table[who["name"]] = (await books.balance(holding.id))["posted"]
    assert cap_table == {"ann": D(200), "bob": D(150), "cat": D(0)}
    await books_clean()
    assert await events(issuance_app.state.engine) == [
        "issuance.campaign.approved",
        "issuance.campaign.launched",
        "issuance.investment.pledged",
        "issuance.investment.pledged",
        "issuance.investment.pledged",
        "issuance.investment.canceled",
        "issuance.campaign.succeeded",
    ]


async def test_a_failed_campaign_voids_every_hold_and_issues_nothing(
    platform, issuance, issuance_app, books, books_clean, clock, close
):
    campaign = await platform.live(min_target="4000.00")
    cid = campaign["id"]
    ann = await platform.investor("ann", cash="3000")
    bob = await platform.investor("bob", cash="3000")
    await platform.pledge(cid, "ann", "2000.00")
    await platform.pledge(cid, "bob", "1990.00")  # 3,990 < 4,000
    clock.travel(timedelta(days=31))
    assert await close() == 1
    got = (await issuance.get(f"/v1/campaigns/{cid}", headers=issuance.as_("owner"))).json()
    assert got["status"] == "failed"
    for who in (ann, bob):
        assert await books.balance(who["cash_account_id"]) == {
            "posted": D("3000.00"),
            "pending": D("3000.00"),  # the balance once holds resolve: none left
            "available": D("3000.00"),
        }
    assert (await books.balance(platform.issuer_cash))["posted"] == D(0)
    await books_clean()
    assert (await events(issuance_app.state.engine))[-1] == "issuance.campaign.failed"
    refunded = await issuance.get(f"/v1/campaigns/{cid}/progress", headers=issuance.as_("owner"))
    assert refunded.json()["pledges"] == 0


async def test_a_live_campaign_cancelled_by_the_issuer_refunds_everyone(
    platform, issuance, books, books_clean, clock, close
):
    campaign = await platform.live()
    ann = await platform.investor("ann", cash="1000")
    await platform.pledge(campaign["id"], "ann", "1000.00")
    cancelled = await issuance.post(
        f"/v1/campaigns/{campaign['id']}/cancel", headers=issuance.as_("manager")
    )
    assert cancelled.json()["status"] == "cancelled"
    assert await close() == 1
    assert (await books.balance(ann["cash_account_id"]))["available"] == D("1000.00")
    await books_clean()


async def test_cancellation_is_refused_in_the_last_48_hours(platform, issuance, books, clock):
    campaign = await platform.live()
    ann = await platform.investor("ann", cash="1000")
    pledge = (await platform.pledge(campaign["id"], "ann", "500.00")).json()
    clock.travel(timedelta(days=30) - timedelta(hours=48))
    late = await issuance.post(
        f"/v1/investments/{pledge['id']}/cancel", headers=issuance.as_("investor", "ann")
    )
    assert (late.status_code, late.json()["type"]) == (
        409,
        "urn:finfleet:problem:cancel-window-closed",
    )
    assert (await books.balance(ann["cash_account_id"]))["available"] == D("500.00")


async def test_only_the_investor_may_cancel_their_pledge(platform, issuance):
    campaign = await platform.live()
    await platform.investor("ann")
    await platform.investor("bob")
    pledge = (await platform.pledge(campaign["id"], "ann", "500.00")).json()
    response = await issuance.post(
        f"/v1/investments/{pledge['id']}/cancel", headers=issuance.as_("investor", "bob")
    )
    assert response.status_code in (403, 404)
    assert await status_of(issuance, f"/v1/investments/{pledge['id']}") == "pledged"


async def test_oversubscription_beyond_max_target_is_refused_first_come_first_served(
    platform, issuance, books
):
    campaign = await platform.live(max_target="5000.00")
    await platform.investor("ann", cash="10000", accredited=True)
    bob = await platform.investor("bob", cash="10000", accredited=True)
    assert (await platform.pledge(campaign["id"], "ann", "3000.00")).status_code == 201
    over = await platform.pledge(campaign["id"], "bob", "2010.00")
    assert (over.status_code, over.json()["type"]) == (409, "urn:finfleet:problem:oversubscribed")
    assert (await books.balance(bob["cash_account_id"]))["available"] == D("10000.00")
    assert (await platform.pledge(campaign["id"], "bob", "2000.00")).status_code == 201
    full = await platform.pledge(campaign["id"], "bob", "10.00")
    assert full.json()["type"] == "urn:finfleet:problem:oversubscribed"


async def test_a_retried_pledge_with_the_same_key_holds_once(platform, issuance, books):
    campaign = await platform.live()
    ann = await platform.investor("ann", cash="1000")
    first = await platform.pledge(campaign["id"], "ann", "300.00", key="pledge-1")
    again = await platform.pledge(campaign["id"], "ann", "300.00", key="pledge-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert (await books.balance(ann["cash_account_id"]))["available"] == D("700.00")


async def test_a_pledge_beyond_the_investors_cash_is_refused_and_recorded(
    platform, issuance, books
):
    campaign = await platform.live()
    ann = await platform.investor("ann", cash="100")
    response = await platform.pledge(campaign["id"], "ann", "200.00")
    assert (response.status_code, response.json()["type"]) == (
        422,
        "urn:finfleet:problem:insufficient-funds",
    )
    refused = await status_of(issuance, f"/v1/investments/{response.json()['investment_id']}")
    assert refused == "rejected"
    progress = await issuance.get(
        f"/v1/campaigns/{campaign['id']}/progress", headers=issuance.as_("owner")
    )
    assert progress.json()["raised"] == "0.00"
    assert (await books.balance(ann["cash_account_id"]))["available"] == D("100.00")


async def test_a_material_change_refunds_pledges_not_reconfirmed_in_five_business_days(
    platform, issuance, books, books_clean, clock, close
):
    campaign = await platform.live(min_target="1000.00")
    cid = campaign["id"]
    ann = await platform.investor("ann", cash="2000")
    bob = await platform.investor("bob", cash="2000")
    a = (await platform.pledge(cid, "ann", "1000.00")).json()
    b = (await platform.pledge(cid, "bob", "1000.00")).json()
    clock.travel(timedelta(days=2))
    changed = await issuance.post(
        f"/v1/campaigns/{cid}/material-change",
        json={"description": "the valuation cap moves from $8M to $12M"},
        headers=issuance.as_("manager"),
    )
    assert changed.status_code == 200, changed.text
    pending = await issuance.get(f"/v1/investments/{a['id']}", headers=issuance.as_("owner"))
    reconfirm_by = pending.json()["reconfirm_by"]
    assert reconfirm_by is not None
    kept = await issuance.post(
        f"/v1/investments/{a['id']}/reconfirm", headers=issuance.as_("investor", "ann")
    )
    assert kept.json()["reconfirm_by"] is None
    clock.travel(timedelta(days=7, seconds=1))  # past five business days
    late = await issuance.post(
        f"/v1/investments/{b['id']}/reconfirm", headers=issuance.as_("investor", "bob")
    )
    assert late.json()["type"] == "urn:finfleet:problem:reconfirmation-closed"
    assert await close() == 0  # not due; the lapsed pledge is refunded on the way
    assert await status_of(issuance, f"/v1/investments/{b['id']}") == "canceled"
    assert await status_of(issuance, f"/v1/investments/{a['id']}") == "pledged"
    assert (await books.balance(bob["cash_account_id"]))["available"] == D("2000.00")
    assert (await books.balance(ann["cash_account_id"]))["available"] == D("1000.00")
    progress = await issuance.get(f"/v1/campaigns/{cid}/progress", headers=issuance.as_("owner"))
    assert progress.json()["raised"] == "1000.00"
    clock.travel(timedelta(days=30))
    assert await close() == 1
    assert (await books.balance(ann["cash_account_id"]))["posted"] == D("1000.00")
    await books_clean()


async def test_a_material_change_needs_room_before_the_deadline(platform, issuance, clock):
    campaign = await platform.live()
    clock.travel(timedelta(days=26))  # four days left: not five business days
    refused = await issuance.post(
        f"/v1/campaigns/{campaign['id']}/material-change",
        json={"description": "new use of proceeds"},
        headers=issuance.as_("manager"),
    )
    assert (refused.status_code, refused.json()["type"]) == (
        409,
        "urn:finfleet:problem:reconfirmation-window-too-short",
    )


async def test_a_pledge_without_an_idempotency_key_is_refused(platform, issuance, books):
    campaign = await platform.live()
    ann = await platform.investor("ann", cash="1000")
    response = await issuance.post(
        f"/v1/campaigns/{campaign['id']}/investments",
        json={"amount": "100.00"},
        headers=issuance.as_("investor", "ann"),
    )
    assert (response.status_code, response.json()["type"]) == (
        428,
        "urn:finfleet:problem:idempotency-key-required",
    )
    assert (await books.balance(ann["cash_account_id"]))["available"] == D("1000.00")


async def test_a_pledge_run_again_after_its_stored_answer_was_lost_pledges_once(
    platform, issuance, issuance_app, books
):
    # A crash after the pledge committed but before the kit stored its answer: the key's
    # record is gone (or its lease ran out), so the same request runs again. The pledge's id
    # comes from the key, so the second run finds the first pledge instead of making another.
    campaign = await platform.live()
    ann = await platform.investor("ann", cash="1000")
    first = await platform.pledge(campaign["id"], "ann", "250.00", key="ann-pledge-1")
    async with issuance_app.state.engine.begin() as connection:
        await connection.execute(text("DELETE FROM idempotency_keys"))
    again = await platform.pledge(campaign["id"], "ann", "250.00", key="ann-pledge-1")
    other = await platform.pledge(campaign["id"], "ann", "250.00", key="ann-pledge-2")

    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert other.json()["id"] != first.json()["id"]
    progress = await issuance.get(
        f"/v1/campaigns/{campaign['id']}/progress", headers=issuance.as_("owner")
    )
    assert D(progress.json()["raised"]) == D("500.00")
    assert (await books.balance(ann["cash_account_id"]))["available"] == D("500.00")  # 2 holds
