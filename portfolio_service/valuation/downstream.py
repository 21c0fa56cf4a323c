"""Calls from the gateway to a fleet service on somebody's behalf, answered as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from fleetkit.http_client import DownstreamClient, DownstreamError
from fleetkit.internal_jwt import TokenMinter
from fleetkit.policy import Principal


class ServiceSilent(Exception):  # noqa: N818 - names the outcome
    """The service did not give a usable answer (down, timed out, refused, or no such route)."""

    def __init__(self, target: str, reason: str) -> None:
        super().__init__(f"{target}: {reason}")
        self.target, self.reason = target, reason


@dataclass(frozen=True)
class Fleet:
    """The downstream clients and the signer of the tokens that go with each call."""

    clients: Mapping[str, DownstreamClient]
    minter: TokenMinter

    async def get(
        self,
        target: str,
        path: str,
        acting: Principal,
        params: Mapping[str, str] | None = None,
        *,
        missing_ok: bool = False,
    ) -> dict[str, Any] | None:
        """GET `path` on `target` as `acting`; None for a 404 when `missing_ok`."""
        token = self.minter.mint(
            target,
            subject=acting.subject,
            tenant_id=acting.tenant_id,
            roles=acting.roles,
            attributes=acting.attributes,
        )
        try:
            response = await self.clients[target].request(
                "GET", path, params=dict(params or {}), headers={"Authorization": f"Bearer {token}"}
            )
        except (DownstreamError, httpx.HTTPError) as exc:
            raise ServiceSilent(target, type(exc).__name__) from exc
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code != 200:
            raise ServiceSilent(target, f"answered {response.status_code}")
        body: dict[str, Any] = response.json()
        return body

    async def post(
        self, target: str, path: str, acting: Principal, body: Mapping[str, Any], key: str
    ) -> tuple[int, dict[str, Any]]:
        """POST `body` with an Idempotency-Key (so it may be retried); (status, answer)."""
        token = self.minter.mint(
            target,
            subject=acting.subject,
            tenant_id=acting.tenant_id,
            roles=acting.roles,
            attributes=acting.attributes,
        )
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        try:
            response = await self.clients[target].request(
                "POST", path, json=dict(body), headers=headers
            )
        except (DownstreamError, httpx.HTTPError) as exc:
            raise ServiceSilent(target, type(exc).__name__) from exc
        answer: dict[str, Any] = response.json()
        return response.status_code, answer
