"""The year-end export for the accountant: a zip of CSV files."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from realestate_service.reports import queries, service
from realestate_service.reports.wire import plain


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in plain(row).items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ would be a formula in a spreadsheet: quote it as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "@") and not _is_number(value):
        return "'" + value
    if isinstance(value, str) and value[:1] == "-" and not _is_number(value):
        return "'" + value
    return value


def _is_number(text_value: str) -> bool:
    try:
        float(text_value)
    except ValueError:
        return False
    return True


async def year_end_zip(session: AsyncSession, tenant: str, year: int) -> bytes:
    """rent_roll (Dec 31), delinquency (Dec 31), charges, payments, expenses, cash flow (cash
    and accrual) and Schedule E of `year`, one CSV each."""
    last = date(year, 12, 31)
    span = {"tenant": tenant, "first": date(year, 1, 1), "last": last}

    async def rows(sql: str) -> list[dict[str, Any]]:
        return [dict(r) for r in (await session.execute(text(sql), span)).mappings()]

    files = {
        "rent_roll.csv": await service.rent_roll(session, tenant, last),
        "delinquency.csv": (await service.delinquency(session, tenant, last))["leases"],
        "charges.csv": await rows(queries.CHARGES_OF_YEAR),
        "payments.csv": await rows(queries.PAYMENTS_OF_YEAR),
        "expenses.csv": await rows(queries.EXPENSES),
        "cash_flow_cash.csv": (await service.cash_flow(session, tenant, year, "cash"))["months"],
        "cash_flow_accrual.csv": (await service.cash_flow(session, tenant, year, "accrual"))[
            "months"
        ],
        "schedule_e.csv": await service.schedule_e(session, tenant, year),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"{year}/{name}", _csv(content))
    return buffer.getvalue()
