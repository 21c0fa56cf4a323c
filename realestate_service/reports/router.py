"""Reports API: rent roll, delinquency, cash flow, Schedule E, year-end export (zip)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.problems import ProblemError
from realestate_service.access import may_export, may_read
from realestate_service.audit.service import audit
from realestate_service.reports import service, statements
from realestate_service.reports.export import year_end_zip
from realestate_service.reports.wire import as_wire

router = APIRouter(prefix="/reports", tags=["reports"])
Year = Query(ge=2000, le=2100)


def today() -> date:
    return datetime.now(UTC).date()


@router.get("/rent-roll")
async def rent_roll(
    principal: CurrentPrincipal, session: SessionDep, as_of: date | None = None
) -> dict[str, Any]:
    """Every unit, occupied or vacant on `as_of`, with rent, deposit held and balance."""
    tenant = may_read(principal)
    day = as_of or today()
    return as_wire({"as_of": day, "units": await service.rent_roll(session, tenant, day)})


@router.get("/delinquency")
async def delinquency(
    principal: CurrentPrincipal, session: SessionDep, as_of: date | None = None
) -> dict[str, Any]:
    """Open receivables aged 0-30, 31-60, 61-90, 91+ days past due, not yet due, credits."""
    tenant = may_read(principal)
    return as_wire(await service.delinquency(session, tenant, as_of or today()))


@router.get("/cash-flow")
async def cash_flow(
    principal: CurrentPrincipal,
    session: SessionDep,
    year: int = Year,
    basis: Literal["cash", "accrual"] = "cash",
) -> dict[str, Any]:
    """Monthly income, expenses and net, on a cash or accrual basis."""
    tenant = may_read(principal)
    return as_wire(await service.cash_flow(session, tenant, year, basis))


@router.get("/schedule-e")
async def schedule_e(
    principal: CurrentPrincipal, session: SessionDep, year: int = Year
) -> dict[str, Any]:
    """IRS Schedule E part I per property (cash basis), with its profit or loss."""
    tenant = may_read(principal)
    return as_wire({"year": year, "properties": await service.schedule_e(session, tenant, year)})


@router.get("/year-end")
async def year_end(principal: CurrentPrincipal, session: SessionDep, year: int = Year) -> Response:
    """A zip of CSVs for the accountant (an export: audited)."""
    tenant = may_export(principal)
    content = await year_end_zip(session, tenant, year)
    audit(session, principal, "export.year_end", "report", year, after={"bytes": len(content)})
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="realestate-{year}.zip"'},
    )


@router.get("/profitability")
async def profitability(
    principal: CurrentPrincipal,
    session: SessionDep,
    year: int = Year,
    basis: Literal["cash", "accrual"] = "cash",
) -> dict[str, Any]:
    """Per building: income, expenses, net, net per unit."""
    tenant = may_read(principal)
    rows = await statements.profitability(session, tenant, year, basis)
    return as_wire({"year": year, "basis": basis, "buildings": rows})


@router.get("/owner-statement")
async def owner_statement(
    principal: CurrentPrincipal,
    session: SessionDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
) -> dict[str, Any]:
    """The owner's statement for a period: cash in, expenses, net; owed and deposits held."""
    tenant = may_read(principal)
    if end < start:
        raise ProblemError(422, "invalid-period", "`to` is before `from`")
    return as_wire(await statements.owner_statement(session, tenant, start, end))
