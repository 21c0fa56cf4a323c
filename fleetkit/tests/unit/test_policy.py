"""The access policy, checked against an expectation table written by hand, not derived."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetkit.policy import (
    Forbidden,
    NotFound,
    Principal,
    Resource,
    authorize,
    decide,
    rules_table,
)

ROLES = ("owner", "manager", "accountant", "viewer", "investor", "compliance", "admin", "service")
STAFF = {"owner", "manager", "accountant", "viewer", "compliance", "admin"}

# Who may act on a resource of their own tenant that belongs to somebody else, when the caller
# meets every attribute condition (KYC verified, accredited, right jurisdiction, independent).
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("read", "portfolio"): STAFF | {"service"},
    ("read", "account"): STAFF | {"service"},
    ("read", "property"): STAFF | {"service"},
    ("read", "campaign"): STAFF | {"investor", "service"},
    ("read", "investment"): STAFF | {"service"},
    ("write", "portfolio"): {"owner", "manager", "admin"},
    ("rebalance", "portfolio"): {"owner", "manager", "admin"},
    ("trade", "account"): {"owner", "manager"},
    ("post_transaction", "account"): {"owner", "accountant", "service"},
    ("write", "property"): {"owner", "manager", "admin"},
    ("record_expense", "property"): {"owner", "manager", "accountant", "admin"},
    ("record_payment", "property"): {"owner", "manager", "accountant", "admin"},
    ("write_off", "property"): {"owner", "manager", "accountant", "admin"},
    ("export", "property"): {"owner", "manager", "accountant", "compliance", "admin"},
    ("export", "account"): {"owner", "accountant", "compliance", "admin"},
    ("write", "campaign"): {"owner", "manager", "admin"},
    ("invest", "campaign"): {"investor"},
    ("approve", "campaign"): {"compliance"},
    ("review_kyc", "issuer"): {"compliance"},
    ("manage_settings", "tenant"): {"owner", "admin"},
    ("manage_settings", "portfolio"): {"owner", "admin"},
    ("manage_members", "tenant"): {"owner", "admin"},
    ("write", "account"): {"admin"},
    # Issuance: a platform's owner or manager registers issuers; compliance reviews investors
    # (never their own profile); an investor writes only their own profile (not this one).
    ("write", "issuer"): {"owner", "manager", "admin"},
    ("write", "investor"): {"admin"},
    ("review_kyc", "investor"): {"compliance"},
    ("trade", "portfolio"): set(),
    ("invest", "property"): set(),
    ("approve", "property"): set(),
}

QUALIFIED = {"kyc_status": "verified", "accredited": "true", "jurisdiction": "DE"}
CAMPAIGN = {
    "owner_subject": "someone-else",
    "issuer_id": "issuer-1",
    "requires_accreditation": "true",
    "allowed_jurisdictions": "DE, FR",
}


def principal(*roles: str, tenant: str | None = "t1", **attributes: str) -> Principal:
    return Principal("user-1", tenant, frozenset(roles), {**QUALIFIED, **attributes})


def resource(kind: str, tenant: str | None = "t1", **attributes: str) -> Resource:
    return Resource(kind, tenant, {**CAMPAIGN, **attributes})


@pytest.mark.parametrize("tenant", ["own", "other"])
@pytest.mark.parametrize(("action", "kind"), sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_policy_matrix(role: str, action: str, kind: str, tenant: str) -> None:
    target = resource(kind, tenant="t1" if tenant == "own" else "t2")

    decision = decide(principal(role), action, target)

    if tenant == "other":
        assert (decision.allowed, decision.not_found) == (False, True)
    else:
        assert decision.allowed is (role in EXPECTED[(action, kind)]), decision.reason
        assert decision.not_found is False


def test_matrix_exercises_every_named_action_of_the_table() -> None:
    named = {action for action, _kind, _roles, _when in rules_table() if action != "*"}
    assert named <= {action for action, _kind in EXPECTED}


def test_other_tenants_resource_is_not_found_not_forbidden() -> None:
    with pytest.raises(NotFound):
        authorize(principal("admin"), "read", resource("portfolio", tenant="t2"))


def test_caller_without_tenant_does_not_see_tenant_resources() -> None:
    decision = decide(principal("owner", tenant=None), "read", resource("portfolio"))
    assert decision.not_found


def test_refusal_within_own_tenant_is_forbidden() -> None:
    with pytest.raises(Forbidden):
        authorize(principal("viewer"), "write", resource("property"))


def test_allowed_call_returns_quietly() -> None:
    authorize(principal("accountant"), "record_expense", resource("property"))


@pytest.mark.parametrize("kyc_status", ["pending", "rejected", ""])
def test_investor_without_verified_kyc_cannot_invest(kyc_status: str) -> None:
    decision = decide(principal("investor", kyc_status=kyc_status), "invest", resource("campaign"))
    assert not decision.allowed
    assert "kyc_verified" in decision.reason


def test_non_accredited_investor_cannot_invest_in_accredited_only_campaign() -> None:
    decision = decide(principal("investor", accredited="false"), "invest", resource("campaign"))
    assert not decision.allowed
    assert "accreditation_if_required" in decision.reason


def test_non_accredited_investor_may_invest_in_open_campaign() -> None:
    campaign = resource("campaign", requires_accreditation="false")
    assert decide(principal("investor", accredited="false"), "invest", campaign).allowed


@pytest.mark.parametrize(
    ("jurisdiction", "allowed_jurisdictions", "allowed"),
    [("fr", "DE,FR", True), ("US", "DE,FR", False), ("US", "*", True), ("DE", "", False)],
)
def test_investor_may_invest_only_from_an_allowed_jurisdiction(
    jurisdiction: str, allowed_jurisdictions: str, allowed: bool
) -> None:
    campaign = resource("campaign", allowed_jurisdictions=allowed_jurisdictions)
    investor = principal("investor", jurisdiction=jurisdiction)
    assert decide(investor, "invest", campaign).allowed is allowed


def test_an_investor_writes_and_nobody_reviews_their_own_profile() -> None:
    own = Resource("investor", "t1", {"owner_subject": "user-1"})
    assert decide(principal("investor"), "write", own).allowed
    decision = decide(principal("compliance"), "review_kyc", own)
    assert (decision.allowed, "someone_elses" in decision.reason) == (False, True)


def test_compliance_cannot_approve_own_issuers_campaign() -> None:
    officer = principal("compliance", issuer_id="issuer-1")
    decision = decide(officer, "approve", resource("campaign"))
    assert not decision.allowed
    assert "not_issuer_own_user" in decision.reason


def test_compliance_cannot_approve_a_campaign_it_created() -> None:
    assert not decide(
        principal("compliance"), "approve", resource("campaign", owner_subject="user-1")
    ).allowed


def test_admin_cannot_approve_or_invest_through_its_wildcard() -> None:
    admin = principal("admin")
    assert not decide(admin, "approve", resource("campaign")).allowed
    assert not decide(admin, "invest", resource("campaign")).allowed


def test_investor_reads_and_trades_own_account_only() -> None:
    investor = principal("investor")
    own, other = resource("account", owner_subject="user-1"), resource("account")
    assert decide(investor, "read", own).allowed
    assert decide(investor, "trade", own).allowed
    assert not decide(investor, "read", other).allowed
    assert not decide(investor, "trade", other).allowed


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_shared_reference_data_but_nobody_changes_it(role: str) -> None:
    instrument = resource("instrument", tenant=None)
    assert decide(principal(role), "read", instrument).allowed
    assert not decide(principal(role), "write", instrument).allowed


@pytest.mark.parametrize("action", ["launch_missiles", "delete", "", "READ", "read ", "*"])
def test_unknown_action_is_denied(action: str) -> None:
    decision = decide(principal(*ROLES), action, resource("portfolio"))
    assert not decision.allowed
    assert "no rule" in decision.reason


def test_rules_table_reads_as_text_rows() -> None:
    rows = rules_table()
    assert ("manage_settings", "*", "owner", "same_tenant") in rows
    assert all(len(row) == 4 and all(isinstance(cell, str) for cell in row) for row in rows)


actions = st.sampled_from(sorted({a for a, _ in EXPECTED} | {"*", "anything"})) | st.text()
kinds = st.sampled_from(sorted({k for _, k in EXPECTED} | {"instrument"})) | st.text()
tenants = st.sampled_from(["t1", "t2", None])
attributes = st.dictionaries(
    st.sampled_from(["kyc_status", "accredited", "jurisdiction", "issuer_id", "owner_subject"]),
    st.sampled_from(["verified", "true", "DE", "*", "user-1", "issuer-1", ""]),
)
principals = st.builds(
    Principal,
    subject=st.sampled_from(["user-1", "user-2"]),
    tenant_id=tenants,
    roles=st.frozensets(st.sampled_from(ROLES) | st.text(max_size=8)),
    attributes=attributes,
)
resources = st.builds(Resource, kind=kinds, tenant_id=tenants, attributes=attributes)


@given(principals, actions, resources)
def test_a_principal_without_roles_is_never_allowed(who, action, what) -> None:
    nobody = Principal(who.subject, who.tenant_id, frozenset(), who.attributes)
    assert not decide(nobody, action, what).allowed


@given(
    principals, actions, st.builds(Resource, kind=kinds, tenant_id=st.text(), attributes=attributes)
)
def test_another_tenant_is_never_allowed_and_never_told_it_exists(who, action, what) -> None:
    stranger = Principal(who.subject, what.tenant_id + "-other", who.roles, who.attributes)
    decision = decide(stranger, action, what)
    assert (decision.allowed, decision.not_found) == (False, True)


@given(principals, actions, resources)
def test_authorize_raises_exactly_when_decide_refuses(who, action, what) -> None:
    decision = decide(who, action, what)
    if decision.allowed:
        authorize(who, action, what)
    else:
        with pytest.raises(NotFound if decision.not_found else Forbidden):
            authorize(who, action, what)


@pytest.mark.parametrize("role", ROLES)
def test_only_an_admin_adds_bonds_and_curves_to_the_shared_reference_data(role: str) -> None:
    for kind in ("bond", "curve"):
        assert decide(principal(role), "write", resource(kind, tenant=None)).allowed == (
            role == "admin"
        )
