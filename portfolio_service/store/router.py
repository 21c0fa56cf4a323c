"""Public API of the marketplace view."""

from __future__ import annotations

from fastapi import APIRouter, Request

from portfolio_service.identity.authentication import CurrentCaller
from portfolio_service.portfolios.router import fleet_of
from portfolio_service.store.service import StorePublic, buyable_assets

router = APIRouter(prefix="/api/v1/store", tags=["store"])


@router.get("/assets", response_model=StorePublic)
async def list_buyable_assets(caller: CurrentCaller, request: Request) -> StorePublic:
    """Shares, bonds and open campaigns the caller may buy; silent services are named."""
    deadline = request.app.state.settings.valuation_deadline_seconds
    return await buyable_assets(fleet_of(request), caller.principal, deadline)
