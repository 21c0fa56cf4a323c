"""Ledger accounts for services' tests: a user's USD cash account, funded, on the real ledger."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any


async def funded_cash_account(
    ledger: Any, headers: dict[str, str], tenant: str, name: str, cash: str = "0"
) -> uuid.UUID:
    """Open `tenant:<tenant>/user:<name>/cash` (USD/2, never overdrawn) and deposit `cash`."""
    await ledger.post("/v1/assets", json={"asset": "USD/2"}, headers=headers)
    response = await ledger.post(
        "/v1/accounts",
        headers=headers,
        json={
            "name": f"tenant:{tenant}/user:{name}/cash",
            "asset": "USD/2",
            "debits_must_not_exceed_credits": True,
        },
    )
    assert response.status_code == 201, response.text
    account_id = uuid.UUID(response.json()["id"])
    if Decimal(cash):
        await deposit(ledger, headers, account_id, cash)
    return account_id


async def deposit(ledger: Any, headers: dict[str, str], account_id: uuid.UUID, amount: str) -> None:
    """Cash from the outside world into `account_id` (the ledger's faucet)."""
    response = await ledger.post(
        "/v1/deposits",
        headers=headers,
        json={"id": str(uuid.uuid4()), "account_id": str(account_id), "amount": amount},
    )
    assert response.status_code == 201, response.text
