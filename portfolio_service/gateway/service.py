"""Forwarding one public call to its service, on the user's behalf."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from fastapi import Request, Response

from fleetkit.http_client import DownstreamClient
from fleetkit.internal_jwt import TokenMinter
from fleetkit.policy import Principal
from fleetkit.problems import ProblemError
from portfolio_service.gateway.routes import (
    FORWARDED_REQUEST_HEADERS,
    PUBLIC_PREFIXES,
    RETURNED_RESPONSE_HEADERS,
)


def build_downstream_clients(
    service: str,
    urls: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> dict[str, DownstreamClient]:
    """One resilient client (timeouts, retries, breaker) per downstream service."""
    chosen = transports or {}
    return {
        target: DownstreamClient(
            service, target, urls[target], transport=chosen.get(target, transport)
        )
        for target in PUBLIC_PREFIXES.values()
    }


async def forward(
    request: Request,
    *,
    prefix: str,
    path: str,
    user: Principal,
    clients: Mapping[str, DownstreamClient],
    minter: TokenMinter,
) -> Response:
    """Send the call to `/v1/<path>` on the service behind `prefix`, with a minted token."""
    target = PUBLIC_PREFIXES.get(prefix)
    if target is None:
        raise ProblemError(404, detail=f"no service is published under /api/v1/{prefix}")
    token = minter.mint(
        target,
        subject=user.subject,
        tenant_id=user.tenant_id,
        roles=user.roles,
        attributes=user.attributes,
    )
    headers = {
        name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers
    }
    headers["Authorization"] = f"Bearer {token}"
    downstream = await clients[target].request(
        request.method,
        f"/v1/{path}",
        params=httpx.QueryParams(str(request.query_params)),
        content=await request.body(),
        headers=headers,
    )
    returned = {
        name: downstream.headers[name]
        for name in RETURNED_RESPONSE_HEADERS
        if name in downstream.headers
    }
    return Response(
        content=downstream.content, status_code=downstream.status_code, headers=returned
    )
