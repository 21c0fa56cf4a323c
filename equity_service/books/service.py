"""The equity service's use of the ledger: open an order's accounts, hold, settle, release."""

from __future__ import annotations

import uuid
from contextlib import suppress
from decimal import Decimal
from typing import Any

from equity_service.books.accounts import (
    DerivedAccount,
    UserBook,
    fee_account,
    user_book,
    venue_account,
)
from equity_service.books.settlement_lines import lines_from_json
from fleetkit.ledger_client import (
    LedgerAccount,
    LedgerClient,
    LedgerLine,
    LedgerNotFound,
    UnknownHold,
)
from fleetkit.problems import ProblemError

HOLD_NAMESPACE = uuid.UUID("0193a1b2-0001-7000-8000-686f6c647321")


def hold_id_of(order_id: uuid.UUID) -> uuid.UUID:
    """The ledger hold of an order: one per order, so a retried placement holds once."""
    return uuid.uuid5(HOLD_NAMESPACE, str(order_id))


class LedgerBooks:
    """Accounts are opened on first use; ids already opened by this process are remembered."""

    def __init__(self, client: LedgerClient) -> None:
        self.client = client
        self._opened: set[uuid.UUID] = set()
        # Name and asset of an account never change: looked up once per process.
        self._cash: dict[tuple[str, uuid.UUID], LedgerAccount] = {}

    async def cash_account(self, tenant_id: str, account_id: uuid.UUID) -> LedgerAccount:
        """The user's cash account named by an order; a 422 problem when it is not theirs."""
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

    async def open_book(
        self, tenant_id: str, cash: LedgerAccount, symbol: str, share_asset: str
    ) -> UserBook:
        """Open (idempotently) every account an order of this user in `symbol` may touch."""
        book = user_book(
            tenant_id,
            cash.id,
            symbol,
            cash_asset=cash.asset,
            share_asset=share_asset,
            cash_name=cash.name,
        )
        wanted = [
            book.cash_reserve,
            book.shares,
            book.shares_reserve,
            venue_account(tenant_id, cash.asset),
            venue_account(tenant_id, share_asset),
            fee_account(tenant_id, cash.asset),
        ]
        if any(account.id not in self._opened for account in wanted):
            await self.client.ensure_asset(tenant_id, share_asset)
        for account in wanted:
            await self._open(tenant_id, account)
        return book

    async def place_hold(
        self,
        tenant_id: str,
        order_id: uuid.UUID,
        source: uuid.UUID,
        reserve: uuid.UUID,
        amount: Decimal,
    ) -> uuid.UUID:
        """Reserve `amount` from `source` into the order's reserve account (a pending hold)."""
        hold_id = hold_id_of(order_id)
        lines = [LedgerLine(source, "debit", amount), LedgerLine(reserve, "credit", amount)]
        await self.client.create_transaction(
            tenant_id, hold_id, lines, mode="pending", metadata={"order_id": str(order_id)}
        )
        return hold_id

    async def execute(
        self, tenant_id: str, transaction_id: uuid.UUID, body: dict[str, Any]
    ) -> None:
        """Carry out a ledger instruction; every step is idempotent by its id."""
        if body.get("void"):
            # A hold that was never placed (the ledger was down) has nothing to release.
            with suppress(LedgerNotFound, UnknownHold):
                await self.client.void_hold(tenant_id, uuid.UUID(body["void"]))
            return
        for hold in body.get("post_holds", []):
            # Posted in full into the order's reserve account: the ledger resolves a hold once,
            # so several fills draw on the posted reserve instead (docs/equity.md).
            await self.client.post_hold(tenant_id, uuid.UUID(hold))
        lines = lines_from_json(body["lines"])
        if lines:
            await self.client.create_transaction(
                tenant_id, transaction_id, lines, metadata=body.get("metadata", {})
            )

    async def _open(self, tenant_id: str, account: DerivedAccount) -> None:
        if account.id in self._opened:
            return
        await self.client.open_account(
            tenant_id,
            account.id,
            account.name,
            account.asset,
            normal_side="debit" if account.normal_side == "debit" else "credit",
            no_overdraft=account.no_overdraft,
        )
        self._opened.add(account.id)
