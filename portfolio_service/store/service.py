"""What the caller may buy: listed shares, bonds and open campaigns, asked of each service at
once (under the valuation deadline), filtered by the access policy.

Shares and bonds are listed when the caller may `trade` on their own accounts; a campaign when
the caller may `invest` in it (KYC, accreditation, jurisdiction: the policy's conditions, fed
with the campaign's own attributes). A service that does not answer is named in `unavailable`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from fleetkit.policy import Principal, Resource, decide
from portfolio_service.valuation.downstream import Fleet
from portfolio_service.valuation.service import gather_within

PAGE = "500"
MAX_PAGES = 20


class StoreItem(BaseModel):
    kind: str
    id: str
    name: str
    currency: str | None
    detail: dict[str, Any]


class StorePublic(BaseModel):
    items: list[StoreItem]
    unavailable: list[str]


async def _all(
    fleet: Fleet, acting: Principal, target: str, path: str, query: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params = {**(query or {}), "limit": PAGE}
    for _ in range(MAX_PAGES):
        page = await fleet.get(target, path, acting, params) or {}
        items += page.get("items", [])
        if not page.get("next_cursor"):
            break
        params["cursor"] = page["next_cursor"]
    return items


def _bond_name(bond: dict[str, Any]) -> str:
    return str(bond.get("name") or bond.get("isin") or bond["id"])


def _may_trade(principal: Principal) -> bool:
    own = Resource("account", principal.tenant_id, {"owner_subject": principal.subject})
    return decide(principal, "trade", own).allowed


def _may_invest(principal: Principal, campaign: dict[str, Any]) -> bool:
    attributes = {
        key: str(campaign[key]).lower() if isinstance(campaign[key], bool) else str(campaign[key])
        for key in ("requires_accreditation", "allowed_jurisdictions", "issuer_id")
        if campaign.get(key) is not None
    }
    if isinstance(campaign.get("allowed_jurisdictions"), list):
        attributes["allowed_jurisdictions"] = ",".join(campaign["allowed_jurisdictions"])
    resource = Resource("campaign", principal.tenant_id, attributes)
    return decide(principal, "invest", resource).allowed


async def buyable_assets(fleet: Fleet, principal: Principal, deadline: float) -> StorePublic:
    """The store for `principal`."""
    shares, bonds, campaigns = await gather_within(
        [
            _all(fleet, principal, "equity", "/v1/instruments"),
            _all(fleet, principal, "fixed_income", "/v1/bonds"),
            _all(fleet, principal, "issuance", "/v1/campaigns", {"status": "active"}),
        ],
        deadline,
    )
    unavailable = [
        name
        for name, outcome in (("equity", shares), ("fixed_income", bonds), ("issuance", campaigns))
        if outcome.failure
    ]
    items: list[StoreItem] = []
    if _may_trade(principal):
        items += [
            StoreItem(kind="share", id=str(i["id"]), name=f"{i['symbol']} {i['name']}",
                      currency=i.get("currency"), detail={"symbol": i["symbol"]})
            for i in shares.value or [] if i.get("status", "active") == "active"
        ]  # fmt: skip
        items += [
            StoreItem(kind="bond", id=str(b["id"]), name=_bond_name(b),
                      currency=b.get("currency"), detail={"maturity": b.get("maturity")})
            for b in bonds.value or []
        ]  # fmt: skip
    items += [
        StoreItem(kind="campaign", id=str(c["id"]), name=str(c.get("name", c["id"])),
                  currency=c.get("currency"), detail={"status": c.get("status")})
        for c in campaigns.value or []
        if c.get("status") == "active" and _may_invest(principal, c)
    ]  # fmt: skip
    return StorePublic(items=items, unavailable=unavailable)
