"""The fleet events of campaigns and investments, published through the outbox in the same
transaction as the change they report (payloads in docs/issuance.md).

| type | when | payload |
|---|---|---|
| `issuance.campaign.approved` | compliance approved it | `campaign`, `approved_by` |
| `issuance.campaign.launched` | the campaign went live | `campaign` |
| `issuance.campaign.material_change` | investors must reconfirm | `campaign`, `reconfirm_by` |
| `issuance.investment.pledged` | a pledge is held in escrow | `campaign`, `investment` |
| `issuance.investment.canceled` | the investor withdrew a pledge | `campaign`, `investment` |
| `issuance.campaign.succeeded` | closed at or above min_target | `campaign`, `fee`, `proceeds` |
| `issuance.campaign.failed` | closed below min_target, or cancelled live | `campaign`, `reason` |
| `issuance.certificate.minted` | a mint is confirmed on chain | `investment`, `certificate` |
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.events.outbox import emit
from issuance_service.campaigns.models import Campaign
from issuance_service.investments.models import Investment


def campaign_payload(campaign: Campaign) -> dict[str, Any]:
    """The campaign as events carry it: amounts as decimal strings."""
    return {
        "campaign_id": str(campaign.id),
        "issuer_id": str(campaign.issuer_id),
        "name": campaign.name,
        "currency": campaign.currency,
        "status": campaign.status,
        "min_target": format(campaign.min_target, "f"),
        "max_target": format(campaign.max_target, "f"),
        "raised": format(campaign.raised, "f"),
        "deadline": None if campaign.deadline is None else campaign.deadline.isoformat(),
        "certificate_asset": campaign.certificate_asset,
    }


def investment_payload(investment: Investment) -> dict[str, Any]:
    """The investment as events carry it."""
    return {
        "investment_id": str(investment.id),
        "investor_id": str(investment.investor_id),
        "amount": format(investment.amount, "f"),
        "units": investment.units,
        "status": investment.status,
    }


def publish(session: AsyncSession, campaign: Campaign, kind: str, **detail: Any) -> None:
    """Publish `issuance.<kind>` about `campaign` (kind: `campaign.approved`, ...)."""
    emit(
        session,
        producer="issuance",
        type=f"issuance.{kind}",
        payload={"campaign": campaign_payload(campaign), **detail},
        tenant_id=campaign.tenant_id,
    )
