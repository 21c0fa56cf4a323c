"""The fixed income service's use of the ledger: open a holding's accounts, post, read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from fixed_income_service.books.accounts import DerivedAccount
from fleetkit.ledger_client import LedgerAccount, LedgerClient, LedgerLine, LedgerNotFound
from fleetkit.problems import ProblemError


class BondBooks:
    """Accounts are opened on first use; ids already opened by this process are remembered."""

    def __init__(self, client: LedgerClient) -> None:
        self.client = client
        self._opened: set[uuid.UUID] = set()
        self._assets: set[tuple[str, str]] = set()
        self._cash: dict[tuple[str, uuid.UUID], LedgerAccount] = {}

    async def cash_account(self, tenant_id: str, account_id: uuid.UUID) -> LedgerAccount:
        """The user's cash account named by a trade; a 422 problem when it is not theirs."""
        if (tenant_id, account_id) in self._cash:
            return self._cash[tenant_id, account_id]
        try:
            account = await self.client.get_account(tenant_id, account_id)
        except LedgerNotFound as exc:
            raise ProblemError(
                422, "unknown-account", "account_id is not a ledger account of this tenant"
            ) from exc
        self._cash[tenant_id, account_id] = account
        return account

    async def open(self, tenant_id: str, accounts: Sequence[DerivedAccount]) -> None:
        """Declare the accounts' assets and open the accounts (both idempotent)."""
        for account in accounts:
            if account.id in self._opened:
                continue
            if (tenant_id, account.asset) not in self._assets:
                await self.client.ensure_asset(tenant_id, account.asset)
                self._assets.add((tenant_id, account.asset))
            await self.client.open_account(
                tenant_id,
                account.id,
                account.name,
                account.asset,
                normal_side="debit" if account.normal_side == "debit" else "credit",
                no_overdraft=account.no_overdraft,
            )
            self._opened.add(account.id)

    async def post(
        self,
        tenant_id: str,
        transaction_id: uuid.UUID,
        lines: Sequence[LedgerLine],
        metadata: dict[str, Any],
    ) -> None:
        """Post one balanced transaction; the same id again is answered with the original."""
        await self.client.create_transaction(tenant_id, transaction_id, lines, metadata=metadata)

    async def posted(
        self, tenant_id: str, account_id: uuid.UUID, as_of: datetime | None = None
    ) -> Decimal:
        """The account's posted balance (now or as committed at `as_of`); 0 if never opened."""
        try:
            return (await self.client.balance(tenant_id, account_id, as_of=as_of)).posted
        except LedgerNotFound:
            return Decimal(0)
