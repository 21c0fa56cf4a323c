"""Writing chain intents in the business transaction that calls for them."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from issuance_service.campaigns.models import Campaign
from issuance_service.chain.models import ChainIntent
from issuance_service.investments.models import Investment
from issuance_service.investors.models import Investor

CUSTODY = "custody"  # the platform's own signing address, resolved when signing


async def enqueue_certificate(
    session: AsyncSession, campaign: Campaign, investment: Investment, investor: Investor
) -> None:
    """Ask for the holder's verification (once per address) and the investment's certificate
    (once per investment: the business key is unique, a rerun adds nothing)."""
    holder = (investor.wallet_address or CUSTODY).lower()
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": campaign.tenant_id,
            "business_key": f"verify:{holder}",
            "kind": "verify_holder",
            "investment_id": None,
            "args": {"holder": holder},
            "status": "new",
        },
        {
            "id": uuid.uuid4(),
            "tenant_id": campaign.tenant_id,
            "business_key": f"mint:{investment.id}",
            "kind": "mint",
            "investment_id": investment.id,
            "args": {
                "holder": holder,
                "campaign_id": str(campaign.id),
                "investment_id": str(investment.id),
                "amount": format(investment.amount, "f"),
                "company": campaign.company,
            },
            "status": "new",
        },
    ]
    for row in rows:
        await session.execute(
            insert(ChainIntent)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["business_key"])
        )
