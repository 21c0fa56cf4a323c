"""The ledger accounts of the issuance service, with deterministic ids (opened on first use).

| account | name | asset | side, overdraft |
|---|---|---|---|
| campaign escrow | `issuance/campaigns/<id>/escrow` | cash | credit, never < 0 |
| certificates issued | `issuance/campaigns/<id>/issued` | certificate | debit, unlimited |
| platform fees | `issuance/fees/<CUR>` | cash | credit, never < 0 |
| investor's units | `<investor cash name>/certificates/<CODE>` | certificate | credit |

Investors' and issuers' cash accounts are theirs (opened by whoever onboards them); this
service only names them. The certificate asset of a campaign is `CF-<first 10 hex digits of
its id, upper case>/0`: one unit per `unit_price` invested, whole units (scale 0).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

BOOKS_NAMESPACE = uuid.UUID("0193a1b2-0000-7000-8000-697373756e63")
HOLD_NAMESPACE = uuid.UUID("0193a1b2-0001-7000-8000-697373686f6c")


def derived_id(tenant_id: str, *parts: object) -> uuid.UUID:
    """The id of a derived account or transaction: the same parts, the same id."""
    return uuid.uuid5(BOOKS_NAMESPACE, "|".join(str(part) for part in (tenant_id, *parts)))


def hold_id_of(investment_id: uuid.UUID) -> uuid.UUID:
    """The escrow hold of an investment: one per investment, so a retry holds once."""
    return uuid.uuid5(HOLD_NAMESPACE, str(investment_id))


def certificate_asset_of(campaign_id: uuid.UUID) -> str:
    """The ledger asset of a campaign's certificates."""
    return f"CF-{campaign_id.hex[:10].upper()}/0"


@dataclass(frozen=True)
class DerivedAccount:
    id: uuid.UUID
    name: str
    asset: str
    normal_side: str
    no_overdraft: bool


def escrow_account(tenant_id: str, campaign_id: uuid.UUID, cash_asset: str) -> DerivedAccount:
    """Where the campaign's pledges wait (pending holds credit it)."""
    name = f"issuance/campaigns/{campaign_id}/escrow"
    return DerivedAccount(derived_id(tenant_id, name), name, cash_asset, "credit", True)


def issued_account(tenant_id: str, campaign_id: uuid.UUID, asset: str) -> DerivedAccount:
    """The source of a campaign's certificate units: its balance is minus the units issued."""
    name = f"issuance/campaigns/{campaign_id}/issued"
    return DerivedAccount(derived_id(tenant_id, name), name, asset, "debit", False)


def fee_account(tenant_id: str, cash_asset: str) -> DerivedAccount:
    """The platform's fee income in one currency."""
    name = f"issuance/fees/{cash_asset.partition('/')[0]}"
    return DerivedAccount(derived_id(tenant_id, name), name, cash_asset, "credit", True)


def holding_account(
    tenant_id: str, cash_id: uuid.UUID, cash_name: str, asset: str
) -> DerivedAccount:
    """The investor's certificate units of one campaign, next to their cash account."""
    code = asset.partition("/")[0]
    name = f"{cash_name}/certificates/{code}"
    return DerivedAccount(derived_id(tenant_id, cash_id, code), name, asset, "credit", True)
