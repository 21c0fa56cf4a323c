"""Expenses by Schedule E line, and their receipts."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Depends, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.ids import new_id
from fleetkit.pagination import Cursor, Limit, page
from fleetkit.problems import ProblemError, not_found
from realestate_service.access import may_read, may_record_expense
from realestate_service.buildings.service import building_of
from realestate_service.domain.schedule_e import EXPENSE_LINES
from realestate_service.expenses.events import expense_recorded
from realestate_service.expenses.models import Expense, Receipt
from realestate_service.expenses.receipts import MAX_BYTES, ReceiptRefusedError, check_receipt
from realestate_service.expenses.schemas import ExpenseCreate, ExpensePage, ExpensePublic
from realestate_service.money_guard import require_idempotency_key
from realestate_service.wire import dollars

router = APIRouter(tags=["expenses"])


def expense_public(e: Expense) -> ExpensePublic:
    receipt: dict[str, str | int] | None = None
    if e.receipt_sha256 is not None:
        receipt = {
            "name": e.receipt_name or "",
            "content_type": e.receipt_content_type or "",
            "size": e.receipt_size or 0,
            "sha256": e.receipt_sha256,
        }
    return ExpensePublic(
        id=e.id,
        building_id=e.building_id,
        schedule_e_line=e.schedule_e_line,
        category=EXPENSE_LINES[e.schedule_e_line],
        amount=e.amount,
        paid_on=e.paid_on,
        vendor=e.vendor,
        memo=e.memo,
        receipt=receipt,
    )


async def expense_of(session: SessionDep, tenant: str, expense_id: uuid.UUID) -> Expense:
    query = select(Expense).where(Expense.id == expense_id, Expense.tenant_id == tenant)
    expense = (await session.execute(query)).scalar_one_or_none()
    if expense is None:
        raise not_found("expense")
    return expense


@router.post(
    "/expenses",
    response_model=ExpensePublic,
    status_code=201,
    dependencies=[Depends(require_idempotency_key)],
)
async def record_expense(
    body: ExpenseCreate, principal: CurrentPrincipal, session: SessionDep
) -> ExpensePublic:
    """An expense of a building, on its Schedule E line."""
    tenant = may_record_expense(principal)
    await building_of(session, tenant, body.building_id)
    amount = dollars(body.amount)
    if amount <= 0:
        raise ProblemError(422, "invalid-amount", "an expense is positive")
    expense = Expense(
        id=new_id(),
        tenant_id=tenant,
        building_id=body.building_id,
        schedule_e_line=body.schedule_e_line,
        amount=amount,
        paid_on=body.paid_on,
        vendor=body.vendor,
        memo=body.memo,
    )
    session.add(expense)
    await session.flush()
    expense_recorded(session, expense)
    return expense_public(expense)


@router.get("/expenses", response_model=ExpensePage)
async def list_expenses(
    principal: CurrentPrincipal,
    session: SessionDep,
    year: int | None = Query(default=None, ge=2000, le=2100),
    building_id: uuid.UUID | None = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> ExpensePage:
    """Expenses in the order they were recorded, by year and building if asked."""
    tenant = may_read(principal)
    query = select(Expense).where(Expense.tenant_id == tenant)
    if year is not None:
        query = query.where(Expense.paid_on.between(date(year, 1, 1), date(year, 12, 31)))
    if building_id is not None:
        query = query.where(Expense.building_id == building_id)
    rows, next_cursor = await page(session, query, Expense.id, cursor, limit)
    return ExpensePage(items=[expense_public(e) for (e,) in rows], next_cursor=next_cursor)


@router.put("/expenses/{expense_id}/receipt", response_model=ExpensePublic)
async def upload_receipt(
    expense_id: uuid.UUID,
    file: UploadFile,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> ExpensePublic:
    """Attach (or replace) the receipt: PDF, JPEG, PNG or WebP, at most 10 MB."""
    tenant = may_record_expense(principal)
    expense = await expense_of(session, tenant, expense_id)
    content = await file.read(MAX_BYTES + 1)
    try:
        checked = check_receipt(file.filename, file.content_type, content)
    except ReceiptRefusedError as refused:
        status = 413 if refused.kind == "receipt-too-large" else 415
        raise ProblemError(status, refused.kind, str(refused)) from refused
    stored = await session.get(Receipt, expense.id)
    if stored is None:
        session.add(Receipt(expense_id=expense.id, tenant_id=tenant, content=content))
    else:
        stored.content = content
    expense.receipt_name = checked.name
    expense.receipt_content_type = checked.content_type
    expense.receipt_size = checked.size
    expense.receipt_sha256 = checked.sha256
    await session.flush()
    return expense_public(expense)


@router.get("/expenses/{expense_id}/receipt")
async def download_receipt(
    expense_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    tenant = may_read(principal)
    expense = await expense_of(session, tenant, expense_id)
    stored = await session.get(Receipt, expense.id)
    if stored is None:
        raise not_found("receipt")
    return Response(
        stored.content,
        media_type=expense.receipt_content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{expense.receipt_name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
