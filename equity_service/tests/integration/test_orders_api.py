"""The orders API: problems for bad input, idempotent placement, tenancy, lists, history."""

from __future__ import annotations

import uuid

import pytest


def order(account_id, **fields):
    body = {
        "client_order_id": "c-1",
        "account_id": str(account_id),
        "symbol": "ACME",
        "side": "buy",
        "type": "limit",
        "qty": "10",
        "limit_price": "100.00",
        "time_in_force": "gtc",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
async def alice(market, books):
    await market.list()
    await market.quote("ACME", "101.00", "101.50")
    return await books.user("alice", cash="5000.00")


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"qty": None}, "validation-error"),
        ({"notional": "100.00"}, "validation-error"),
        ({"qty": "-1"}, "validation-error"),
        ({"qty": "0"}, "invalid-qty"),
        ({"qty": "0.5"}, "invalid-qty"),  # lot size 1 below
        ({"limit_price": "100.005"}, "off-tick"),
        ({"limit_price": None}, "missing-price"),
        ({"type": "market"}, "unexpected-price"),
        ({"type": "stop"}, "unexpected-price"),
        ({"time_in_force": "gtd"}, "invalid-expiry"),
        ({"expire_at": "2030-01-01T00:00:00Z"}, "invalid-expiry"),
        ({"time_in_force": "gtd", "expire_at": "2020-01-01T00:00:00Z"}, "invalid-expiry"),
        (
            {"type": "stop_limit", "stop_price": "99.00", "time_in_force": "ioc"},
            "invalid-time-in-force",
        ),
        ({"symbol": "NOPE"}, "unknown-symbol"),
        ({"account_id": "unknown"}, "unknown-account"),
        ({"qty": "1", "limit_price": "0.01"}, "below-min-notional"),
        ({"side": "short"}, "validation-error"),
        ({"extra": "field"}, "validation-error"),
    ],
)
async def test_bad_order_is_a_problem_and_writes_nothing(equity, market, alice, fields, kind):
    if fields.get("account_id") == "unknown":
        fields = {**fields, "account_id": str(uuid.uuid4())}
    body = {**order(alice), **fields}
    body = {k: v for k, v in body.items() if v is not None}
    if "qty" in fields and fields["qty"] == "0.5":
        await market.list("LOTS", fractionable=False)
        await market.quote("LOTS", "10.00", "10.01")
        body["symbol"] = "LOTS"

    response = await equity.post("/v1/orders", json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:finfleet:problem:{kind}"
    assert (await equity.get("/v1/orders", params={"status": "all"})).json()["items"] == []


async def test_same_client_order_id_and_body_returns_the_original(equity, alice):
    first = await equity.post("/v1/orders", json=order(alice))

    again = await equity.post("/v1/orders", json=order(alice))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


async def test_same_client_order_id_with_another_body_is_a_conflict(equity, alice):
    await equity.post("/v1/orders", json=order(alice))

    response = await equity.post("/v1/orders", json=order(alice, qty="11"))

    assert response.status_code == 409
    assert response.json()["type"] == "urn:finfleet:problem:client-order-id-reused"


async def test_idempotency_key_replays_the_first_answer(equity, alice):
    headers = {"Idempotency-Key": "k-1"}
    first = await equity.post("/v1/orders", json=order(alice), headers=headers)

    again = await equity.post("/v1/orders", json=order(alice), headers=headers)

    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()


async def test_canceling_a_closed_order_is_a_conflict(equity, alice):
    placed = (await equity.post("/v1/orders", json=order(alice))).json()
    await equity.delete(f"/v1/orders/{placed['id']}")

    response = await equity.delete(f"/v1/orders/{placed['id']}")

    assert response.status_code == 409
    assert response.json()["type"] == "urn:finfleet:problem:order-not-cancelable"
    assert response.json()["order_status"] == "canceled"


async def test_another_tenants_order_is_not_found(equity, alice, auth_headers):
    placed = (await equity.post("/v1/orders", json=order(alice))).json()
    other = auth_headers(tenant_id="globex", roles=frozenset({"owner"}))

    for call in (
        equity.get(f"/v1/orders/{placed['id']}", headers=other),
        equity.delete(f"/v1/orders/{placed['id']}", headers=other),
        equity.get(f"/v1/orders/{placed['id']}/events", headers=other),
        equity.get(
            "/v1/orders:by_client_order_id", params={"client_order_id": "c-1"}, headers=other
        ),
    ):
        assert (await call).status_code == 404
    listed = await equity.get("/v1/orders", params={"status": "all"}, headers=other)
    assert listed.json()["items"] == []


async def test_a_viewer_cannot_trade(equity, alice, auth_headers):
    viewer = auth_headers(tenant_id="acme", roles=frozenset({"viewer"}))

    response = await equity.post("/v1/orders", json=order(alice), headers=viewer)

    assert response.status_code == 403


async def test_open_and_closed_lists_page_with_a_cursor(equity, alice):
    ids = []
    for n in range(3):
        placed = await equity.post(
            "/v1/orders", json=order(alice, client_order_id=f"c-{n}", qty="1")
        )
        ids.append(placed.json()["id"])
    await equity.delete(f"/v1/orders/{ids[0]}")

    page = (await equity.get("/v1/orders", params={"status": "open", "limit": 1})).json()
    rest = (
        await equity.get("/v1/orders", params={"status": "open", "cursor": page["next_cursor"]})
    ).json()
    closed = (await equity.get("/v1/orders", params={"status": "closed"})).json()

    assert [o["id"] for o in page["items"] + rest["items"]] == ids[1:]
    assert rest["next_cursor"] is None
    assert [o["id"] for o in closed["items"]] == ids[:1]


async def test_order_is_found_by_client_order_id(equity, alice):
    placed = (await equity.post("/v1/orders", json=order(alice))).json()

    found = await equity.get("/v1/orders:by_client_order_id", params={"client_order_id": "c-1"})

    assert found.json()["id"] == placed["id"]


async def test_history_lists_acceptance_fills_and_cancel(equity, market, alice):
    await market.quote("ACME", "99.00", "99.50", size="4")
    placed = (await equity.post("/v1/orders", json=order(alice))).json()
    await equity.delete(f"/v1/orders/{placed['id']}")

    events = (await equity.get(f"/v1/orders/{placed['id']}/events")).json()

    assert [(e["type"], e["status"]) for e in events] == [
        ("accepted", "new"),
        ("filled", "partially_filled"),
        ("canceled", "canceled"),
    ]
    assert events[1]["detail"]["fill"]["qty"] == "4"


async def test_forged_cursor_is_a_bad_request(equity, alice):
    response = await equity.get("/v1/orders", params={"cursor": "bm90LWFuLWludA"})
    assert response.status_code == 400
