"""The issuance service's questions to the fleet's access policy.

The investor's KYC status, accreditation and jurisdiction are read from this service's own
investor record (the compliance decisions live here), never from the caller's token.
"""

from __future__ import annotations

from fleetkit.auth import require_tenant
from fleetkit.policy import Forbidden, Principal, Resource, authorize
from issuance_service.campaigns.models import Campaign
from issuance_service.investors.models import Investor
from issuance_service.issuers.models import Issuer


def tenant_of(principal: Principal) -> str:
    """The caller's tenant; a call without one is refused."""
    return require_tenant(principal, "issuance calls")


def may_read(principal: Principal, kind: str, owner_subject: str | None = None) -> str:
    """Reading an object of the tenant (staff), or one's own (an investor); returns the tenant."""
    tenant = tenant_of(principal)
    attributes = {} if owner_subject is None else {"owner_subject": owner_subject}
    authorize(principal, "read", Resource(kind, tenant, attributes))
    return tenant


def may_write(principal: Principal, kind: str) -> str:
    """Registering or changing issuers and campaigns (owner, manager); returns the tenant."""
    tenant = tenant_of(principal)
    authorize(principal, "write", Resource(kind, tenant))
    return tenant


def may_review_issuer(principal: Principal, issuer: Issuer) -> None:
    """A KYC decision on an issuer: compliance, independent of the issuer."""
    attributes = {"issuer_id": str(issuer.id), "owner_subject": issuer.owner_subject}
    authorize(principal, "review_kyc", Resource("issuer", issuer.tenant_id, attributes))


def may_review_investor(principal: Principal, investor: Investor) -> None:
    """A KYC or accreditation decision on an investor: compliance, not the investor."""
    attributes = {"owner_subject": investor.subject}
    authorize(principal, "review_kyc", Resource("investor", investor.tenant_id, attributes))


def may_approve(principal: Principal, campaign: Campaign) -> None:
    """Approving (or sending back) a campaign: compliance, not the issuer's own user."""
    attributes = {"issuer_id": str(campaign.issuer_id), "owner_subject": campaign.owner_subject}
    authorize(principal, "approve", Resource("campaign", campaign.tenant_id, attributes))


def may_register_investor(principal: Principal) -> str:
    """An investor registers their own profile; returns the tenant."""
    tenant = tenant_of(principal)
    attributes = {"owner_subject": principal.subject}
    authorize(principal, "write", Resource("investor", tenant, attributes))
    return tenant


def may_invest(principal: Principal, investor: Investor | None, campaign: Campaign) -> None:
    """The policy's `invest` on this campaign, with the investor's attributes as recorded."""
    if investor is None:
        raise Forbidden("register as an investor first")
    recorded = Principal(
        subject=principal.subject,
        tenant_id=principal.tenant_id,
        roles=principal.roles,
        attributes={
            "kyc_status": investor.kyc_status,
            "accredited": "true" if investor.accredited else "false",
            "jurisdiction": investor.jurisdiction,
        },
    )
    attributes = {
        "requires_accreditation": "true" if campaign.requires_accreditation else "false",
        "allowed_jurisdictions": campaign.allowed_jurisdictions,
    }
    authorize(recorded, "invest", Resource("campaign", campaign.tenant_id, attributes))


def may_withdraw(principal: Principal, owner_subject: str) -> None:
    """Canceling a pledge: only the investor who made it."""
    tenant_of(principal)
    if principal.subject != owner_subject:
        raise Forbidden("only the investor who pledged may cancel the pledge")
