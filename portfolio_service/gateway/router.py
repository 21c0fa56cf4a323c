"""The public forwarding route."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from fleetkit.problems import ProblemError
from portfolio_service.gateway.access import SERVICE_ACCESS, authorize_forwarded
from portfolio_service.gateway.service import forward
from portfolio_service.identity.authentication import CurrentCaller

router = APIRouter(prefix="/api/v1", tags=["gateway"])
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def forward_to_service(
    prefix: str, path: str, request: Request, caller: CurrentCaller
) -> Response:
    """Reach `/v1/<path>` of the service published under `<prefix>` (equity, bonds, ledger,
    realestate, issuance) with the caller's identity, once the access policy allows it."""
    if prefix not in SERVICE_ACCESS:
        raise ProblemError(404, detail=f"no service is published under /api/v1/{prefix}")
    authorize_forwarded(caller, prefix, request.method)
    state = request.app.state
    return await forward(
        request,
        prefix=prefix,
        path=path,
        user=caller.principal,
        clients=state.downstream,
        minter=state.token_minter,
    )


# One route per method, each with its own operation id (OpenAPI requires them unique).
for _method in _METHODS:
    router.add_api_route(
        "/{prefix}/{path:path}",
        forward_to_service,
        methods=[_method],
        summary="Forward to a service",
        operation_id=f"forward_{_method.lower()}_to_service",
    )
