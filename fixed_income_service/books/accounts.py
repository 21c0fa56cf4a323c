"""The ledger accounts of bond trades and payments, with deterministic ids.

`account_id` on a trade names the user's cash account in the ledger (opened by whoever onboards
the user). The rest is derived from it and opened on first use:

| account | name | asset | normal side, overdraft |
|---|---|---|---|
| face held | `<cash name>/bonds/<face code>` | `BOND:<ISIN>/2` | credit, never below 0 |
| the street | `fixed_income/street/<code>` | cash or face | debit, unlimited |
| paying agent | `fixed_income/paying_agent/<currency>` | cash | debit, unlimited |

The street is every counterparty of a trade; it delivers face and takes cash. The paying agent
stands for the issuers: coupons and redemptions are paid from it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

BOOKS_NAMESPACE = uuid.UUID("0193a1b2-0000-7000-8000-626f6e647321")


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


def face_account(
    tenant_id: str, cash_id: uuid.UUID, face_asset: str, cash_name: str = ""
) -> DerivedAccount:
    """The user's holding of the bond (in original face); the name is needed only to open it."""
    code = face_asset.partition("/")[0]
    account_id = derived_id(tenant_id, cash_id, "bonds", code)
    return DerivedAccount(account_id, f"{cash_name}/bonds/{code}", face_asset, "credit", True)


def street_account(tenant_id: str, asset: str) -> DerivedAccount:
    """The other side of every trade in `asset`: debit-normal, unlimited."""
    name = f"fixed_income/street/{asset.partition('/')[0]}"
    return DerivedAccount(derived_id(tenant_id, name), name, asset, "debit", False)


def paying_agent(tenant_id: str, cash_asset: str) -> DerivedAccount:
    """Where coupons and redemptions are paid from: debit-normal, unlimited."""
    name = f"fixed_income/paying_agent/{cash_asset.partition('/')[0]}"
    return DerivedAccount(derived_id(tenant_id, name), name, cash_asset, "debit", False)
