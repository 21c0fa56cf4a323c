"""The public forwarding route."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from portfolio_service.gateway.service import forward
from portfolio_service.identity.tokens import CurrentUser

router = APIRouter(prefix="/api/v1", tags=["gateway"])
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@router.api_route("/{prefix}/{path:path}", methods=_METHODS, summary="Forward to a service")
async def forward_to_service(
    prefix: str, path: str, request: Request, user: CurrentUser
) -> Response:
    """Reach `/v1/<path>` of the service published under `<prefix>` (equity, bonds, ledger,
    realestate, issuance) with the caller's identity."""
    state = request.app.state
    return await forward(
        request,
        prefix=prefix,
        path=path,
        user=user,
        clients=state.downstream,
        minter=state.token_minter,
    )
