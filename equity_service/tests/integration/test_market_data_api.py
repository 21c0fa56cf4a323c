"""Instruments, quotes and bars: reference data every tenant reads; imports all or nothing."""

from __future__ import annotations

import pytest

from equity_service.market_data.service import import_bars
from fleetkit.problems import ProblemError

BARS = """symbol,date,open,high,low,close,volume
ACME,2025-01-30,100.00,101.00,99.50,100.50,1000
ACME,2025-01-31,100.50,102.00,100.00,101.75,1200
ACME,2025-02-03,101.75,103.00,101.00,102.00,900
"""


async def test_quote_is_read_by_symbol_with_decimal_strings(equity, market):
    await market.list()
    await market.quote("ACME", "101.00", "101.50")

    quote = (await equity.get("/v1/quotes/ACME")).json()

    assert (quote["bid"], quote["ask"]) == ("101", "101.5")


async def test_quote_of_an_unknown_symbol_is_not_found(equity, market):
    assert (await equity.get("/v1/quotes/NOPE")).status_code == 404


async def test_instrument_carries_its_ledger_asset(equity, market):
    listed = await market.list()

    page = (await equity.get("/v1/instruments")).json()
    one = (await equity.get(f"/v1/instruments/{listed.id}")).json()

    assert [i["symbol"] for i in page["items"]] == ["ACME"]
    assert one["ledger_asset"] == "ACME/9"


async def test_bars_import_then_page_oldest_first(equity, equity_app, market):
    listed = await market.list()
    async with equity_app.state.sessionmaker() as session, session.begin():
        assert await import_bars(session, BARS) == 3

    first = (await equity.get(f"/v1/instruments/{listed.id}/bars", params={"limit": 2})).json()
    rest = (
        await equity.get(
            f"/v1/instruments/{listed.id}/bars", params={"cursor": first["next_cursor"]}
        )
    ).json()

    assert [b["day"] for b in first["items"] + rest["items"]] == [
        "2025-01-30",
        "2025-01-31",
        "2025-02-03",
    ]
    assert first["items"][1]["close"] == "101.75"


async def test_import_with_one_bad_row_writes_nothing(equity, equity_app, market):
    listed = await market.list()
    bad = BARS + "ACME,2025-02-04,1.00,0.50,1.00,1.00,1\n"

    with pytest.raises(ProblemError) as refused:
        async with equity_app.state.sessionmaker() as session, session.begin():
            await import_bars(session, bad)

    assert refused.value.extensions["errors"][0]["line"] == 5
    bars = (await equity.get(f"/v1/instruments/{listed.id}/bars")).json()
    assert bars["items"] == []


async def test_every_role_reads_reference_data(equity, market, auth_headers):
    await market.list()
    investor = auth_headers(tenant_id="other", roles=frozenset({"investor"}))

    assert (await equity.get("/v1/instruments", headers=investor)).status_code == 200


async def test_forged_bars_cursor_is_a_bad_request(equity, market):
    listed = await market.list()
    response = await equity.get(
        f"/v1/instruments/{listed.id}/bars", params={"cursor": "Im5vdC1hLWRheSI"}
    )
    assert response.status_code == 400
