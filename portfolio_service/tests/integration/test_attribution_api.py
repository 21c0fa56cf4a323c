"""Attribution through the API: snapshots with per-holding lines, a benchmark whose equity class
is an index listed in the real equity service (its daily closes) and whose cash earns a rate."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

CASH, ACME = str(uuid.uuid4()), str(uuid.uuid4())


def line(kind: str, klass: str, quantity: str, price: str) -> dict[str, str]:
    value = str(Decimal(quantity) * Decimal(price))
    return {"kind": kind, "asset_class": klass, "reference": kind, "quantity": quantity,
            "price": price, "value": value}  # fmt: skip


# 1,000 arrives on Friday 03-01: 400 cash and 4 ACME at 150. ACME is 165 on Monday (+10 %),
# 156.75 on Tuesday (-5 %). The index IDX closes 100 on Friday, 108 on Monday (+8 %), 102.6 on
# Tuesday (-5 %).
SNAPSHOTS = [
    (date(2024, 3, 1), "1000", "1000", "150"),
    (date(2024, 3, 4), "1060", "0", "165"),
    (date(2024, 3, 5), "1027", "0", "156.75"),
]
INDEX = [(date(2024, 3, 1), "100"), (date(2024, 3, 4), "108"), (date(2024, 3, 5), "102.6")]
BALANCED = {"components": [
    {"asset_class": "equity", "weight": "0.5", "index": "IDX"},
    {"asset_class": "cash", "weight": "0.5", "annual_rate": "0"}]}  # fmt: skip


@pytest.fixture
async def owner(people):
    registered = await people.register("ann@example.com", tenant_name="Attrib")
    return {
        "tenant": registered["memberships"][0]["tenant_id"],
        "headers": await people.headers("ann@example.com"),
    }


async def portfolio_with_history(gateway, owner, committed) -> str:
    made = await gateway.post("/api/v1/portfolios", json={"name": "p"}, headers=owner["headers"])
    pid = str(made.json()["id"])
    async with committed.begin() as connection:
        for day, value, flow, price in SNAPSHOTS:
            lines = {CASH: line("cash", "cash", "400", "1"),
                     ACME: line("equity", "equity", "4", price)}  # fmt: skip
            await connection.execute(
                text("INSERT INTO valuation_snapshots (portfolio_id, tenant_id, day, value, "
                     "net_flow, complete, lines) VALUES (:p, :t, :d, :v, :f, true, "
                     "CAST(:l AS jsonb))"),
                {"p": uuid.UUID(pid), "t": uuid.UUID(owner["tenant"]), "d": day,
                 "v": Decimal(value), "f": Decimal(flow), "l": json.dumps(lines)},
            )  # fmt: skip
    return pid


async def test_attribution_against_an_index_benchmark_worked_by_hand(
    gateway, owner, committed, market
):
    await market.list("IDX")
    for day, close in INDEX:
        await market.close("IDX", day, close)
    pid = await portfolio_with_history(gateway, owner, committed)
    defined = await gateway.put("/api/v1/benchmarks/balanced", json=BALANCED,
                                headers=owner["headers"])  # fmt: skip

    response = await gateway.get(
        f"/api/v1/portfolios/{pid}/attribution",
        params={"from": "2024-03-04", "to": "2024-03-05", "benchmark": "balanced"},
        headers=owner["headers"],
    )

    assert defined.status_code == 200, defined.text
    assert response.status_code == 200, response.text
    body = response.json()
    # Period 1 (Fri-Mon): w = 0.6 / 0.4, r = 10 % / 0, W = 0.5 / 0.5, R = 8 % / 0, B = 4 %,
    #   r = 6 %: allocation 0.1 x 0.04 = 0.4 % each class, selection 0.5 x 2 % = 1 % (equity),
    #   interaction 0.1 x 2 % = 0.2 % (equity).
    # Period 2 (Mon-Tue): w = 660 / 1060 = 0.622642, both returns -5 %, B = -2.5 %,
    #   r = -3.113208 %: allocation 0.122642 x -2.5 % = -0.306604 % each class, nothing else.
    # Compounded: r = 1.06 x 0.968868 - 1 = 2.7 %, B = 1.04 x 0.975 - 1 = 1.4 %, active 1.3 %.
    # Carino: k1 = ln(1.06 / 1.04) / 0.02 = 0.952410, k2 = ln(0.968868 / 0.975) / -0.006132
    #   = 1.028880, k = ln(1.027 / 1.014) / 0.013 = 0.979925.
    #   equity allocation = (0.004 k1 - 0.00306604 k2) / k = 0.066847 % (cash the same),
    #   equity selection = 0.01 k1 / k = 0.971921 %, interaction = 0.002 k1 / k = 0.194384 %.
    assert body["method"] == "brinson_fachler"
    assert body["linking"] == "carino"
    assert "k_t = (ln(1 + r_t) - ln(1 + R_t))" in body["definition"]
    assert body["periods"] == 2
    assert body["portfolio_return"] == pytest.approx(0.027)
    assert body["benchmark_return"] == pytest.approx(0.014)
    assert body["active_return"] == pytest.approx(0.013)
    classes = {c["asset_class"]: c for c in body["classes"]}
    assert classes["equity"]["allocation"] == pytest.approx(0.00066847, abs=1e-8)
    assert classes["cash"]["allocation"] == pytest.approx(0.00066847, abs=1e-8)
    assert classes["equity"]["selection"] == pytest.approx(0.00971921, abs=1e-8)
    assert classes["equity"]["interaction"] == pytest.approx(0.00194384, abs=1e-8)
    assert classes["cash"]["selection"] == classes["cash"]["interaction"] == 0
    assert classes["equity"]["return"] == pytest.approx(1.1 * 0.95 - 1)
    assert classes["equity"]["benchmark_return"] == pytest.approx(1.08 * 0.95 - 1)
    total = body["allocation"] + body["selection"] + body["interaction"]
    assert total == pytest.approx(body["active_return"], abs=1e-12)


async def test_attribution_refuses_a_reversed_period_and_an_unknown_benchmark(
    gateway, owner, committed
):
    pid = await portfolio_with_history(gateway, owner, committed)
    url = f"/api/v1/portfolios/{pid}/attribution"

    h = owner["headers"]
    period = {"from": "2024-03-01", "to": "2024-03-05"}

    reversed_ = await gateway.get(
        url, params={"from": "2024-03-05", "to": "2024-03-01", "benchmark": "x"}, headers=h
    )
    unknown = await gateway.get(url, params={**period, "benchmark": "nope"}, headers=h)
    missing = await gateway.get(url, params=period, headers=h)

    assert reversed_.status_code == unknown.status_code == missing.status_code == 422
    assert reversed_.json()["type"] == "urn:finfleet:problem:invalid-period"
    assert unknown.json()["type"] == "urn:finfleet:problem:unknown-benchmark"


async def test_an_index_without_closes_or_not_listed_is_a_problem(
    gateway, owner, committed, market
):
    await market.list("IDX")  # listed, but no closes
    pid = await portfolio_with_history(gateway, owner, committed)
    headers = owner["headers"]
    await gateway.put("/api/v1/benchmarks/listed", json=BALANCED, headers=headers)
    unlisted = {"components": [{"asset_class": "equity", "weight": "1", "index": "NOPE"}]}
    await gateway.put("/api/v1/benchmarks/unlisted", json=unlisted, headers=headers)
    params = {"from": "2024-03-04", "to": "2024-03-05"}
    url = f"/api/v1/portfolios/{pid}/attribution"

    no_closes = await gateway.get(url, params={**params, "benchmark": "listed"}, headers=headers)
    no_index = await gateway.get(url, params={**params, "benchmark": "unlisted"}, headers=headers)

    assert no_closes.status_code == no_index.status_code == 422
    assert no_closes.json()["type"] == "urn:finfleet:problem:benchmark-prices-missing"
    assert no_index.json()["type"] == "urn:finfleet:problem:unknown-benchmark"


@pytest.mark.parametrize(
    "components",
    [
        [{"asset_class": "equity", "weight": "0.6", "index": "IDX"}],  # does not sum to 1
        [{"asset_class": "equity", "weight": "1"}],  # neither index nor rate
        [{"asset_class": "equity", "weight": "1", "index": "IDX", "annual_rate": "0.01"}],
        [{"asset_class": "gold", "weight": "1", "annual_rate": "0"}],
        [
            {"asset_class": "cash", "weight": "0.5", "annual_rate": "0"},
            {"asset_class": "cash", "weight": "0.5", "annual_rate": "0.01"},
        ],
    ],
)
async def test_a_malformed_benchmark_is_refused(gateway, owner, components):
    response = await gateway.put(
        "/api/v1/benchmarks/bad", json={"components": components}, headers=owner["headers"]
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_benchmark_is_replaced_by_name_and_listed(gateway, owner):
    h = owner["headers"]
    await gateway.put("/api/v1/benchmarks/b", json=BALANCED, headers=h)
    cash_only = {"components": [{"asset_class": "cash", "weight": "1", "annual_rate": "0.03"}]}
    await gateway.put("/api/v1/benchmarks/b", json=cash_only, headers=h)

    listed = (await gateway.get("/api/v1/benchmarks", headers=h)).json()

    assert [(b["name"], b["components"]) for b in listed] == [
        ("b", [{"asset_class": "cash", "weight": "1", "index": None, "annual_rate": "0.03"}])
    ]


async def test_a_period_without_snapshots_has_nothing_to_attribute(gateway, owner):
    pid = (await gateway.post("/api/v1/portfolios", json={"name": "new"},
                              headers=owner["headers"])).json()["id"]  # fmt: skip
    await gateway.put("/api/v1/benchmarks/b", json=BALANCED, headers=owner["headers"])

    response = await gateway.get(
        f"/api/v1/portfolios/{pid}/attribution",
        params={"from": "2024-01-01", "to": "2024-12-31", "benchmark": "b"},
        headers=owner["headers"],
    )

    assert response.status_code == 200, response.text
    assert (response.json()["periods"], response.json()["classes"]) == (0, [])
