"""Profitability per building and the owner statement, against hand-worked figures."""

from __future__ import annotations


async def test_owner_statement_and_profitability_per_building(api, runs):
    elm = await api.lease(rent="1000", start="2025-01-01")
    oak_building = (await api.ok("POST", "/v1/buildings", json={"name": "Oak"}))["id"]
    oak = await api.lease(rent="2000", start="2025-01-01", building=oak_building)
    await runs.rent("2025-02-01")  # Elm 2 x 1000, Oak 2 x 2000
    await api.pay(elm["id"], "1000", "2025-01-05")
    await api.pay(oak["id"], "2000", "2025-01-06")
    await api.pay(oak["id"], "1500", "2025-02-06")
    deposit = f"/v1/leases/{oak['id']}/deposit"
    await api.ok("POST", f"{deposit}/receive", json={"amount": "3000", "on": "2025-01-01"})
    await api.ok("POST", f"{deposit}/forfeit", json={"amount": "200", "on": "2025-02-10"})
    for building, line, amount in ((elm["building_id"], 14, "400"), (oak_building, 11, "350")):
        body = {"building_id": building, "schedule_e_line": line, "amount": amount,
                "paid_on": "2025-02-15"}  # fmt: skip
        await api.ok("POST", "/v1/expenses", json=body)
    statement = await api.ok("GET", "/v1/reports/owner-statement?from=2025-01-01&to=2025-02-28")
    by_name = {b["building"]: b for b in statement["buildings"]}
    assert by_name["Elm St 5"]["cash_in"] == "1000.00"
    assert by_name["Elm St 5"]["net_to_owner"] == "600.00"
    assert by_name["Elm St 5"]["owed_by_renters"] == "1000.00"
    assert by_name["Oak"]["cash_in"] == "3700.00"  # 2000 + 1500 + 200 forfeited
    assert by_name["Oak"]["expenses"] == [
        {"line": 11, "category": "Management fees", "amount": "350.00"}
    ]
    assert by_name["Oak"]["net_to_owner"] == "3350.00"
    assert by_name["Oak"]["owed_by_renters"] == "500.00"
    assert by_name["Oak"]["deposits_held"] == "2800.00"
    assert statement["totals"] == {"cash_in": "4700.00", "expenses": "750.00",
                                   "net_to_owner": "3950.00"}  # fmt: skip
    accrual = await api.ok("GET", "/v1/reports/profitability?year=2025&basis=accrual")
    rows = {b["building"]: (b["income"], b["expenses"], b["net"]) for b in accrual["buildings"]}
    assert rows == {"Elm St 5": ("2000.00", "400.00", "1600.00"),
                    "Oak": ("4000.00", "350.00", "3650.00")}  # fmt: skip
    backwards = await api.call("GET", "/v1/reports/owner-statement?from=2025-02-01&to=2025-01-01")
    assert backwards.status_code == 422
