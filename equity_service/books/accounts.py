"""The ledger accounts an order touches, derived from the user's cash account.

`account_id` on an order names the user's cash account in the ledger (opened by whoever onboards
the user). Everything else is derived from it, with deterministic ids, and opened on first use:

| account | name | asset |
|---|---|---|
| cash reserve | `<cash name>/reserved` | the cash asset |
| shares | `<cash name>/shares/<SYMBOL>` | `<SYMBOL>/9` |
| shares reserve | `<cash name>/shares/<SYMBOL>/reserved` | `<SYMBOL>/9` |
| venue (the street) | `equity/venue/<ASSET>` | cash or shares, may go negative |
| fees | `equity/fees/<ASSET>` | the cash asset |
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

BOOKS_NAMESPACE = uuid.UUID("0193a1b2-0000-7000-8000-657175697479")


def derived_id(tenant_id: str, *parts: object) -> uuid.UUID:
    """The id of a derived account: the same tenant and parts, the same id."""
    return uuid.uuid5(BOOKS_NAMESPACE, "|".join(str(part) for part in (tenant_id, *parts)))


@dataclass(frozen=True)
class DerivedAccount:
    id: uuid.UUID
    name: str
    asset: str
    normal_side: str
    no_overdraft: bool


@dataclass(frozen=True)
class UserBook:
    """The accounts of one user (one cash account) for one instrument."""

    cash_id: uuid.UUID
    cash_reserve: DerivedAccount
    shares: DerivedAccount
    shares_reserve: DerivedAccount


def user_book(
    tenant_id: str,
    cash_id: uuid.UUID,
    symbol: str,
    *,
    cash_asset: str = "",
    share_asset: str = "",
    cash_name: str = "",
) -> UserBook:
    """The derived accounts of the user whose cash account is `cash_id` (ids depend only on
    tenant, cash account and symbol; names and assets are needed only to open them)."""

    def user(suffix: str, asset: str) -> DerivedAccount:
        account_id = derived_id(tenant_id, cash_id, suffix)
        return DerivedAccount(account_id, f"{cash_name}/{suffix}", asset, "credit", True)

    return UserBook(
        cash_id=cash_id,
        cash_reserve=user("reserved", cash_asset),
        shares=user(f"shares/{symbol}", share_asset),
        shares_reserve=user(f"shares/{symbol}/reserved", share_asset),
    )


def venue_account(tenant_id: str, asset: str) -> DerivedAccount:
    """The street's side of fills against the market: debit-normal, unlimited."""
    name = f"equity/venue/{asset.partition('/')[0]}"
    return DerivedAccount(derived_id(tenant_id, name), name, asset, "debit", False)


def fee_account(tenant_id: str, asset: str) -> DerivedAccount:
    """The paper venue's commission income."""
    name = f"equity/fees/{asset.partition('/')[0]}"
    return DerivedAccount(derived_id(tenant_id, name), name, asset, "credit", False)
