"""Expense events (payload documented in docs/realestate.md)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.events.outbox import emit
from realestate_service.expenses.models import Expense


def expense_recorded(session: AsyncSession, expense: Expense) -> None:
    emit(
        session,
        producer="realestate",
        type="realestate.expense.recorded",
        payload={
            "expense_id": str(expense.id),
            "building_id": str(expense.building_id),
            "schedule_e_line": expense.schedule_e_line,
            "amount": str(expense.amount),
            "paid_on": expense.paid_on.isoformat(),
        },
        tenant_id=expense.tenant_id,
    )
