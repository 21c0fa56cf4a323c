"""The gateway's ABAC check on every forwarded call, before anything leaves the gateway.

The gateway does not know the exact resource a downstream path names (that service checks it
against the same policy with the real attributes). It asks the policy about the most favourable
resource of the service's kind in the caller's own tenant: owned by the caller, sold everywhere,
of no issuer the caller works for. If even that is refused, the call cannot be allowed and is
answered 403 here; otherwise it goes on with a minted token and the service decides for real.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleetkit.policy import RESERVED_ACTIONS, Principal, Resource, decide
from fleetkit.problems import ProblemError
from portfolio_service.identity.tokens import Caller

# Kinds that are shared reference data (no tenant).
REFERENCE_KINDS = frozenset({"bond", "curve", "instrument"})


@dataclass(frozen=True)
class ServiceAccess:
    """What reading a service means, and the acts a write to it may be."""

    reads: tuple[str, ...]
    writes: tuple[tuple[str, str], ...]


SERVICE_ACCESS = {
    "equity": ServiceAccess(("instrument", "order"), (("trade", "account"),)),
    "bonds": ServiceAccess(
        ("bond", "curve"), (("write", "bond"), ("write", "curve"), ("trade", "account"))
    ),
    "ledger": ServiceAccess(("account",), (("post_transaction", "account"),)),
    "realestate": ServiceAccess(
        ("property",),
        (("write", "property"), ("record_payment", "property"), ("record_expense", "property")),
    ),
    "issuance": ServiceAccess(
        ("campaign", "issuer", "investor"),
        (
            ("write", "campaign"),
            ("write", "issuer"),
            ("write", "investor"),
            ("invest", "campaign"),
            ("approve", "campaign"),
            ("review_kyc", "issuer"),
            ("review_kyc", "investor"),
        ),
    ),
}
"""Public prefix → the policy's vocabulary for that service."""


def favourable(principal: Principal, kind: str) -> list[Resource]:
    """The most permissive resources of `kind` the caller could be acting on: one of its own
    (personal rules) and one someone else made (four-eyes rules, such as a compliance review,
    which no rule grants on the caller's own items)."""
    tenant = None if kind in REFERENCE_KINDS else principal.tenant_id
    return [
        Resource(
            kind,
            tenant,
            {
                "owner_subject": owner,
                "allowed_jurisdictions": "*",
                "issuer_id": f"not-{principal.attributes.get('issuer_id', '')}",
            },
        )
        for owner in (principal.subject, f"not-{principal.subject}")
    ]


def scope_for(action: str) -> str:
    """The API-key scope an act needs: money movements and sign-offs need `trade`."""
    return "trade" if action in RESERVED_ACTIONS else "write"


def authorize_forwarded(caller: Caller, prefix: str, method: str) -> None:
    """Refuse (403) a forwarded call the policy or the API key's scopes cannot allow."""
    access = SERVICE_ACCESS[prefix]
    principal = caller.principal
    if principal.tenant_id is None:
        raise ProblemError(403, "tenant-required", "public calls act for a tenant")
    scopes = caller.api_key_scopes
    if method in ("GET", "HEAD"):
        acts = [("read", kind, "read") for kind in access.reads]
    else:
        acts = [(action, kind, scope_for(action)) for action, kind in access.writes]
    reasons: list[str] = []
    for action, kind, scope in acts:
        decisions = [decide(principal, action, r) for r in favourable(principal, kind)]
        allowed = any(decision.allowed for decision in decisions)
        if allowed and (scopes is None or scope in scopes):
            return
        reasons.append(decisions[0].reason if not allowed else f"key lacks scope {scope!r}")
    raise ProblemError(
        403, "forbidden", f"{method} on /api/v1/{prefix} is not allowed: {'; '.join(reasons)}"
    )
