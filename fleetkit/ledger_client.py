"""Typed calls to the ledger, as a fleet service acting for a tenant.

Every call carries a token minted with the calling service's own key (`iss` = the service,
`sub` = `service:<name>`, `roles` = `{"service"}`, `tenant` = the tenant acted for,
`aud` = `ledger`). The ledger's refusals (RFC 9457 problems) become `LedgerRefusal`
exceptions named after their `type`. Transaction ids are the caller's: derive them from the
business event (`transaction_id_for(order_id, "fill", n)`) so that a retry never posts twice.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from fleetkit.http_client import DownstreamClient, in_flight
from fleetkit.internal_jwt import TokenMinter
from fleetkit.ledger_wire import (
    HoldAlreadyResolved,
    InsufficientFunds,
    LedgerAccount,
    LedgerBalance,
    LedgerLine,
    LedgerNotFound,
    LedgerRefusal,
    Side,
    UnknownAccount,
    UnknownHold,
    answer_of,
    transaction_id_for,
    wire_amount,
)

__all__ = [
    "HoldAlreadyResolved",
    "InsufficientFunds",
    "LedgerAccount",
    "LedgerBalance",
    "LedgerClient",
    "LedgerLine",
    "LedgerNotFound",
    "LedgerRefusal",
    "UnknownAccount",
    "UnknownHold",
    "transaction_id_for",
    "wire_amount",
]
IN_FLIGHT_ATTEMPTS = 8


class LedgerClient:
    """The ledger's API as typed async calls made by `minter.issuer` over `downstream`."""

    def __init__(self, downstream: DownstreamClient, minter: TokenMinter) -> None:
        self._http, self._minter = downstream, minter

    async def ensure_asset(self, tenant_id: str, asset: str) -> None:
        """Declare `asset` (`AAPL/9`); declaring it again is a no-op."""
        await self._call("POST", "/v1/assets", tenant_id, json={"asset": asset}, key=asset)

    async def open_account(
        self,
        tenant_id: str,
        account_id: uuid.UUID,
        name: str,
        asset: str,
        *,
        normal_side: Side = "credit",
        no_overdraft: bool = True,
    ) -> LedgerAccount:
        """Open the account (or get it back: same id, name and settings is idempotent)."""
        body = {
            "id": str(account_id),
            "name": name,
            "asset": asset,
            "normal_side": normal_side,
            "debits_must_not_exceed_credits": no_overdraft,
        }
        data = await self._call("POST", "/v1/accounts", tenant_id, json=body, key=str(account_id))
        return LedgerAccount(uuid.UUID(data["id"]), data["name"], data["asset"])

    async def get_account(self, tenant_id: str, account_id: uuid.UUID) -> LedgerAccount:
        """The account, or `LedgerNotFound` (also for another tenant's account)."""
        data = await self._call("GET", f"/v1/accounts/{account_id}", tenant_id)
        return LedgerAccount(uuid.UUID(data["id"]), data["name"], data["asset"])

    async def balance(
        self, tenant_id: str, account_id: uuid.UUID, *, as_of: datetime | None = None
    ) -> LedgerBalance:
        """Posted, pending and available now, or as committed at `as_of`."""
        path = f"/v1/accounts/{account_id}/balance"
        params = None if as_of is None else {"as_of": as_of.isoformat()}
        data = await self._call("GET", path, tenant_id, params=params)
        return LedgerBalance(
            Decimal(data["posted"]), Decimal(data["pending"]), Decimal(data["available"])
        )

    async def create_transaction(
        self,
        tenant_id: str,
        transaction_id: uuid.UUID,
        lines: Sequence[LedgerLine],
        *,
        mode: Literal["posted", "pending"] = "posted",
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Post a balanced transaction, or place a hold with `mode="pending"`."""
        body = {
            "id": str(transaction_id),
            "mode": mode,
            "lines": [
                {"account_id": str(x.account_id), "side": x.side, "amount": wire_amount(x.amount)}
                for x in lines
            ],
            "metadata": dict(metadata or {}),
        }
        return await self._call(
            "POST", "/v1/transactions", tenant_id, json=body, key=str(transaction_id)
        )

    async def post_hold(
        self, tenant_id: str, hold_id: uuid.UUID, amount: Decimal | None = None
    ) -> dict[str, Any]:
        """Post the hold in full, or `amount` of it (the rest is released)."""
        body = {} if amount is None else {"amount": wire_amount(amount)}
        path = f"/v1/transactions/{hold_id}/post"
        return await self._call("POST", path, tenant_id, json=body, key=f"{hold_id}:post")

    async def void_hold(self, tenant_id: str, hold_id: uuid.UUID) -> dict[str, Any]:
        """Release everything the hold reserved."""
        path = f"/v1/transactions/{hold_id}/void"
        return await self._call("POST", path, tenant_id, json={}, key=f"{hold_id}:void")

    async def get_transaction(self, tenant_id: str, transaction_id: uuid.UUID) -> dict[str, Any]:
        """The transaction, or `LedgerNotFound`."""
        return await self._call("GET", f"/v1/transactions/{transaction_id}", tenant_id)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        tenant_id: str,
        *,
        json: Any = None,
        key: str | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._token(tenant_id)}"}
        if key is not None:
            # The request is idempotent by its natural id, so the kit may retry it safely.
            headers["Idempotency-Key"] = key
        for attempt in range(1, IN_FLIGHT_ATTEMPTS + 1):
            response = await self._http.request(
                method, path, json=json, headers=headers, params=params or {}
            )
            if not in_flight(response) or attempt == IN_FLIGHT_ATTEMPTS:
                break
            # The same request (same key) from another caller is still running: once it is
            # done, asking again replays its answer.
            await asyncio.sleep(0.05 * attempt)
        return answer_of(self._http.target_name, response)

    def _token(self, tenant_id: str) -> str:
        issuer = self._minter.issuer
        return self._minter.mint(
            "ledger", subject=f"service:{issuer}", tenant_id=tenant_id, roles={"service"}
        )
