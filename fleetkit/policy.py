"""Who may do what: the fleet's one attribute-based access policy (DESIGN.md §6).

`decide` answers in two steps. Tenant isolation comes first: a resource of another tenant is
*not found* (the web layer answers 404, never 403, so ids of other tenants cannot be probed).
Then the table below grants: a row grants when its action and kind match, the caller holds one
of its roles and its condition holds. Whatever no row grants is denied, and an action the table
does not name is refused to everybody. `write` covers create, change and archive; `*` rows never
cover the reserved actions (money movements and sign-offs), which only a row naming them grants.

Attributes read by the conditions (all strings, as they travel in the internal JWT):

- principal: `kyc_status` (verified / pending / rejected), `accredited` ("true" / "false"),
  `jurisdiction` (ISO 3166 alpha-2), `income_band`, `issuer_id` (the issuer a user works for);
- resource: `owner_subject` (the user it belongs to), `issuer_id`, `requires_accreditation`
  ("true" / "false"), `allowed_jurisdictions` (comma list of ISO codes, or `*` for any).

`income_band` is not an access question: investment caps by income live in the issuance domain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fnmatch import fnmatchcase


class Role(StrEnum):
    """The roles a membership can carry; they compare equal to their plain string values."""

    OWNER = "owner"
    MANAGER = "manager"
    ACCOUNTANT = "accountant"
    VIEWER = "viewer"
    INVESTOR = "investor"
    COMPLIANCE = "compliance"
    ADMIN = "admin"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    """The caller, as described by its verified token."""

    subject: str
    tenant_id: str | None
    roles: frozenset[str]
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Resource:
    """What is acted on; `tenant_id` None marks shared reference data (instruments, calendars)."""

    kind: str
    tenant_id: str | None
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """The policy's answer; `not_found` means the resource must look absent to the caller."""

    allowed: bool
    reason: str
    not_found: bool = False


class PolicyDenied(Exception):  # noqa: N818 - names the outcome, not a bug
    """The policy refused an action."""


class Forbidden(PolicyDenied):
    """The caller may see the resource but not do this to it (403)."""


class NotFound(PolicyDenied):
    """The resource belongs to another tenant, so it does not exist for the caller (404)."""


Predicate = Callable[[Principal, Resource], bool]


@dataclass(frozen=True)
class Condition:
    """Named predicates that must all hold; combine them with `&`."""

    parts: tuple[Predicate, ...]

    def __and__(self, other: Condition) -> Condition:
        return Condition(self.parts + other.parts)

    @property
    def name(self) -> str:
        """The condition as written in the table, e.g. `same_tenant & kyc_verified`."""
        return " & ".join(part.__name__ for part in self.parts)

    def first_unmet(self, principal: Principal, resource: Resource) -> str | None:
        """The name of the first predicate that fails, or None when all hold."""
        for part in self.parts:
            if not part(principal, resource):
                return part.__name__
        return None


def condition(predicate: Predicate) -> Condition:
    """Turn a predicate into a table condition named after the function."""
    return Condition((predicate,))


@condition
def same_tenant(principal: Principal, resource: Resource) -> bool:
    """The resource belongs to the caller's tenant (not shared reference data)."""
    return principal.tenant_id is not None and resource.tenant_id == principal.tenant_id


@condition
def reference_data(principal: Principal, resource: Resource) -> bool:
    """The resource is shared by every tenant (instruments, bonds, calendars, curves)."""
    return resource.tenant_id is None


@condition
def own_resource(principal: Principal, resource: Resource) -> bool:
    """The resource belongs to the caller personally (an investor's account or pledge)."""
    return resource.attributes.get("owner_subject") == principal.subject


@condition
def kyc_verified(principal: Principal, resource: Resource) -> bool:
    """The caller passed KYC; pending or rejected is not enough."""
    return principal.attributes.get("kyc_status") == "verified"


@condition
def accreditation_if_required(principal: Principal, resource: Resource) -> bool:
    """The caller is accredited, when the offering is reserved to accredited investors."""
    if resource.attributes.get("requires_accreditation", "false").lower() != "true":
        return True
    return principal.attributes.get("accredited", "false").lower() == "true"


@condition
def jurisdiction_allowed(principal: Principal, resource: Resource) -> bool:
    """The caller's jurisdiction is one the offering may be sold in."""
    # An offering without a jurisdiction list is a data error; refusing is the safe reading.
    allowed = {
        code.strip().upper()
        for code in resource.attributes.get("allowed_jurisdictions", "").split(",")
        if code.strip()
    }
    jurisdiction = principal.attributes.get("jurisdiction", "").strip().upper()
    return bool(jurisdiction) and ("*" in allowed or jurisdiction in allowed)


@condition
def not_issuer_own_user(principal: Principal, resource: Resource) -> bool:
    """The caller is independent of the issuer behind the resource."""
    # Four eyes: whoever works for the issuer, or created the item, cannot sign it off.
    issuer = resource.attributes.get("issuer_id")
    return (
        issuer is not None
        and principal.attributes.get("issuer_id") != issuer
        and resource.attributes.get("owner_subject") != principal.subject
    )


@condition
def someone_elses(principal: Principal, resource: Resource) -> bool:
    """The resource does not belong to the caller personally (no self-review)."""
    owner = resource.attributes.get("owner_subject")
    return owner is not None and owner != principal.subject


@dataclass(frozen=True)
class Rule:
    """One row of the table: `action` and `kind` are exact names or glob patterns (`*`)."""

    action: str
    kind: str
    roles: frozenset[str]
    when: Condition


OWNER, MANAGER, ACCOUNTANT, VIEWER = Role.OWNER, Role.MANAGER, Role.ACCOUNTANT, Role.VIEWER
INVESTOR, COMPLIANCE, ADMIN = Role.INVESTOR, Role.COMPLIANCE, Role.ADMIN
# A fleet service acting for a tenant (equity settling a fill, issuance holding a pledge): its
# token's `sub` is `service:<name>`, signed with that service's own key.
SERVICE = Role.SERVICE
STAFF = frozenset({OWNER, MANAGER, ACCOUNTANT, VIEWER, COMPLIANCE, ADMIN})
EVERYONE = STAFF | {INVESTOR}

# Acts that move a client's money or sign something off are granted only by a row that names
# them, never by a wildcard row: an admin administers, it does not trade, invest or approve.
RESERVED_ACTIONS = frozenset({"invest", "trade", "post_transaction", "approve", "review_kyc"})


# Combinations used by several rows, named for what they mean.
personal = same_tenant & own_resource
independent = same_tenant & not_issuer_own_user
eligible_investor = same_tenant & kyc_verified & accreditation_if_required & jurisdiction_allowed

_TABLE: tuple[tuple[str, str, frozenset[Role] | set[Role], Condition], ...] = (
    # action            kind         roles                             when
    ("read",            "*",         STAFF | {SERVICE},                same_tenant),
    ("read",            "*",         EVERYONE | {SERVICE},             reference_data),
    ("write",           "bond",      {ADMIN},                          reference_data),
    ("write",           "curve",     {ADMIN},                          reference_data),
    ("read",            "campaign",  {INVESTOR},                       same_tenant),
    ("read",            "*",         {INVESTOR},                       personal),
    ("write",           "portfolio", {OWNER, MANAGER},                 same_tenant),
    ("write",           "portfolio", {INVESTOR},                       personal),
    ("rebalance",       "portfolio", {OWNER, MANAGER},                 same_tenant),
    ("trade",           "account",   {OWNER, MANAGER},                 same_tenant),
    ("trade",           "account",   {INVESTOR},                       personal),
    ("post_transaction","account",   {OWNER, ACCOUNTANT, SERVICE},     same_tenant),
    ("write",           "property",  {OWNER, MANAGER},                 same_tenant),
    ("record_expense",  "property",  {OWNER, MANAGER, ACCOUNTANT},     same_tenant),
    ("record_payment",  "property",  {OWNER, MANAGER, ACCOUNTANT},     same_tenant),
    ("write_off",       "property",  {OWNER, MANAGER, ACCOUNTANT},     same_tenant),
    ("export",          "property",  {MANAGER},                        same_tenant),
    ("export",          "*",         {OWNER, ACCOUNTANT, COMPLIANCE},  same_tenant),
    ("write",           "campaign",  {OWNER, MANAGER},                 same_tenant),
    ("write",           "issuer",    {OWNER, MANAGER},                 same_tenant),
    ("invest",          "campaign",  {INVESTOR},                       eligible_investor),
    ("approve",         "campaign",  {COMPLIANCE},                     independent),
    ("review_kyc",      "issuer",    {COMPLIANCE},                     independent),
    ("write",           "investor",  {INVESTOR},                       personal),
    ("review_kyc",      "investor",  {COMPLIANCE},                     same_tenant & someone_elses),
    ("manage_settings", "*",         {OWNER},                          same_tenant),
    ("manage_members",  "tenant",    {OWNER},                          same_tenant),
    ("*",               "*",         {ADMIN},                          same_tenant),
)  # fmt: skip

RULES: tuple[Rule, ...] = tuple(
    Rule(action, kind, frozenset(role.value for role in roles), when)
    for action, kind, roles, when in _TABLE
)
# The vocabulary is what the table names: a misspelt action is refused even to an admin.
ACTIONS = frozenset(rule.action for rule in RULES if rule.action != "*")


def _covers(rule: Rule, action: str, kind: str) -> bool:
    if rule.action == action:
        return fnmatchcase(kind, rule.kind)
    wildcard_may_cover = action not in RESERVED_ACTIONS
    return wildcard_may_cover and fnmatchcase(action, rule.action) and fnmatchcase(kind, rule.kind)


def decide(principal: Principal, action: str, resource: Resource) -> Decision:
    """Whether `principal` may do `action` to `resource`, and why; denies by default."""
    if resource.tenant_id is not None and resource.tenant_id != principal.tenant_id:
        return Decision(False, "resource belongs to another tenant", not_found=True)
    if action not in ACTIONS:
        return Decision(False, f"no rule knows the action {action!r}")
    rules = [rule for rule in RULES if _covers(rule, action, resource.kind)]
    if not rules:
        return Decision(False, f"no rule grants {action!r} on {resource.kind!r}")
    granting = [rule for rule in rules if rule.roles & principal.roles]
    if not granting:
        needed = sorted({role for rule in rules for role in rule.roles})
        return Decision(False, f"{action!r} on {resource.kind!r} needs a role in {needed}")
    unmet: list[str] = []
    for rule in granting:
        failed = rule.when.first_unmet(principal, resource)
        if failed is None:
            return Decision(True, _GRANTED_BY[rule])
        unmet.append(failed)
    return Decision(False, f"condition not met: {', '.join(dict.fromkeys(unmet))}")


def authorize(principal: Principal, action: str, resource: Resource) -> None:
    """Return when allowed; raise `NotFound` for another tenant's resource, else `Forbidden`."""
    decision = decide(principal, action, resource)
    if decision.allowed:
        return
    if decision.not_found:
        raise NotFound(decision.reason)
    raise Forbidden(decision.reason)


def rules_table() -> list[tuple[str, str, str, str]]:
    """The table as text rows (action, kind, roles, condition), for docs and audits."""
    return [
        (rule.action, rule.kind, ", ".join(sorted(rule.roles)), rule.when.name) for rule in RULES
    ]


def _describe(rule: Rule) -> str:
    return f"rule ({rule.action}, {rule.kind}, {'|'.join(sorted(rule.roles))}, {rule.when.name})"


# Written once: a granted decision is on every request's path.
_GRANTED_BY = {rule: f"granted by {_describe(rule)}" for rule in RULES}
