"""The issuance service's use of the ledger: escrow holds, their release or refund, and the
certificate units. Every call is idempotent by a deterministic id, so a retried step (a worker
killed mid-close) never moves money twice."""

from __future__ import annotations

import uuid
from contextlib import suppress
from decimal import Decimal

from fleetkit.ledger_client import (
    HoldAlreadyResolved,
    LedgerAccount,
    LedgerClient,
    LedgerLine,
    LedgerNotFound,
    UnknownHold,
)
from fleetkit.problems import ProblemError
from issuance_service.books.accounts import (
    DerivedAccount,
    derived_id,
    escrow_account,
    fee_account,
    holding_account,
    issued_account,
)


class IssuanceBooks:
    """Accounts are opened on first use; ids already opened by this process are remembered."""

    def __init__(self, client: LedgerClient) -> None:
        self.client = client
        self._opened: set[uuid.UUID] = set()

    async def cash_account(self, tenant_id: str, account_id: uuid.UUID) -> LedgerAccount:
        """A cash account of the tenant in the ledger; a 422 problem when it is not one."""
        try:
            return await self.client.get_account(tenant_id, account_id)
        except LedgerNotFound as exc:
            raise ProblemError(
                422, "unknown-account", "the cash account is not a ledger account of this tenant"
            ) from exc

    async def open_campaign(
        self, tenant_id: str, campaign_id: uuid.UUID, cash_asset: str, certificate_asset: str
    ) -> None:
        """Declare the certificate asset and open the escrow, issued and fee accounts."""
        await self.client.ensure_asset(tenant_id, certificate_asset)
        for account in (
            escrow_account(tenant_id, campaign_id, cash_asset),
            issued_account(tenant_id, campaign_id, certificate_asset),
            fee_account(tenant_id, cash_asset),
        ):
            await self._open(tenant_id, account)

    async def hold_pledge(
        self,
        tenant_id: str,
        hold_id: uuid.UUID,
        investor_cash: uuid.UUID,
        campaign_id: uuid.UUID,
        cash_asset: str,
        amount: Decimal,
    ) -> None:
        """Hold `amount` from the investor's cash into the campaign's escrow (pending)."""
        escrow = escrow_account(tenant_id, campaign_id, cash_asset)
        lines = [
            LedgerLine(investor_cash, "debit", amount),
            LedgerLine(escrow.id, "credit", amount),
        ]
        await self.client.create_transaction(
            tenant_id, hold_id, lines, mode="pending", metadata={"campaign_id": str(campaign_id)}
        )

    async def void(self, tenant_id: str, hold_id: uuid.UUID) -> None:
        """Release a hold; one never placed, or already voided, has nothing left to release."""
        with suppress(LedgerNotFound, UnknownHold, HoldAlreadyResolved):
            await self.client.void_hold(tenant_id, hold_id)

    async def post(self, tenant_id: str, hold_id: uuid.UUID) -> None:
        """Post a hold in full: the pledge moves into escrow for good. A rerun within the
        ledger's idempotency retention (24 h) replays the first answer; a hold resolved
        otherwise raises `HoldAlreadyResolved`, and the close stops for an operator."""
        await self.client.post_hold(tenant_id, hold_id)

    async def release_escrow(
        self,
        tenant_id: str,
        campaign_id: uuid.UUID,
        cash_asset: str,
        issuer_cash: uuid.UUID,
        fee: Decimal,
        proceeds: Decimal,
    ) -> None:
        """Empty the escrow: the proceeds to the issuer, the fee to the platform."""
        escrow = escrow_account(tenant_id, campaign_id, cash_asset)
        lines = [LedgerLine(escrow.id, "debit", fee + proceeds)]
        lines.append(LedgerLine(issuer_cash, "credit", proceeds))
        if fee:
            lines.append(LedgerLine(fee_account(tenant_id, cash_asset).id, "credit", fee))
        await self.client.create_transaction(
            tenant_id,
            derived_id(tenant_id, campaign_id, "release"),
            lines,
            metadata={"campaign_id": str(campaign_id), "kind": "escrow-release"},
        )

    async def credit_certificate(
        self,
        tenant_id: str,
        campaign_id: uuid.UUID,
        investment_id: uuid.UUID,
        investor_cash: LedgerAccount,
        asset: str,
        units: int,
    ) -> uuid.UUID:
        """Credit the investor's certificate units of the campaign; returns the holding account."""
        holding = holding_account(tenant_id, investor_cash.id, investor_cash.name, asset)
        await self._open(tenant_id, holding)
        issued = issued_account(tenant_id, campaign_id, asset)
        await self.client.create_transaction(
            tenant_id,
            derived_id(tenant_id, investment_id, "certificate"),
            [
                LedgerLine(issued.id, "debit", Decimal(units)),
                LedgerLine(holding.id, "credit", Decimal(units)),
            ],
            metadata={"campaign_id": str(campaign_id), "investment_id": str(investment_id)},
        )
        return holding.id

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
