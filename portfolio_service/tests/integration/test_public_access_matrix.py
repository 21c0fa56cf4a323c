"""The generated access matrix: every public endpoint x every role x own / another tenant.

Rows are read from the apps themselves (the gateway's own OpenAPI, and each forwarded
service's OpenAPI under its `/api/v1/<prefix>/`), so an endpoint added anywhere fails
`test_every_public_endpoint_has_a_matrix_entry` until it is given an entry here. An entry names
the policy question the endpoint asks (`fleetkit.policy`: action and kind); which roles may
pass is worked out from the policy table, not written by hand. Then, through the gateway with
all five services running in-process on their own databases:

- own tenant: a role the policy refuses gets 403; a role it allows gets anything but
  401/403/404 (a 422 for a made-up body is fine: it was let in);
- another tenant: an owner and an admin of another tenant asking for this tenant's object get
  404 on every endpoint whose path names one (reference data excepted: everyone reads it).

Path ids come from objects seeded in the tenant (a portfolio, an account, a lease, ...);
endpoints whose object is not seeded get a made-up id, and then 404 counts as allowed too.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from fleetkit import policy
from fleetkit.policy import Principal, Resource
from fleetkit.testing.plugin import close_app
from portfolio_service.gateway.routes import PUBLIC_PREFIXES
from portfolio_service.main import create_app

ROLES = ("owner", "manager", "accountant", "viewer", "investor", "compliance", "admin")
EVERYONE = frozenset(ROLES)
REFERENCE_KINDS = {"instrument", "bond", "curve", "calendar"}
SERVICE_OF_PACKAGE = {service: f"{service}_service" for service in PUBLIC_PREFIXES.values()}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Entry:
    """The policy question an endpoint asks, or (`roles`) who may call it when it asks none."""

    action: str = "read"
    kind: str = "*"
    roles: frozenset[str] | None = None
    body: dict[str, Any] = field(default_factory=dict)
    also: tuple[tuple[str, str], ...] = ()  # further questions that must all be granted too
    fresh: bool = False  # the call destroys its object: seed a new one per call
    absent: bool = False  # the object the path names is not seeded (a 404 is then fine)
    personal: bool = False  # the object is someone's own: to everybody else it is absent (404)

    def allowed(self, names_object: bool) -> frozenset[str]:
        """The roles the policy lets through: on the tenant's seeded objects (which the owner
        made, so they are not the caller's own) or, to create one, on the caller's own."""
        if self.roles is not None:
            return self.roles
        owners = ("someone-else",) if names_object or self.action == "read" else ("me", "else")
        questions = ((self.action, self.kind), *self.also)
        return frozenset(
            role for role in ROLES
            if all(_policy_allows(role, a, k, owners) for a, k in questions)
        )  # fmt: skip


SIGN_IN = Entry(roles=frozenset())  # public by design: authenticates by what it carries
SELF = Entry(roles=EVERYONE)  # about the caller themselves


def _policy_allows(role: str, action: str, kind: str, owners: tuple[str, ...]) -> bool:
    # The most favourable object of `kind` in the caller's tenant owned by one of `owners`:
    # sold everywhere, of no issuer the caller works for.
    me = Principal("me", "tenant", frozenset({role}), {"kyc_status": "verified",
                                                       "jurisdiction": "US"})  # fmt: skip
    tenant = None if kind in REFERENCE_KINDS else "tenant"
    return any(
        policy.decide(me, action, Resource(kind, tenant, {
            "owner_subject": owner, "allowed_jurisdictions": "*", "issuer_id": "other"})).allowed
        for owner in owners
    )  # fmt: skip


def R(kind: str) -> Entry:
    return Entry("read", kind)


def W(action: str, kind: str, **kw: Any) -> Entry:
    return Entry(action, kind, **kw)


MATRIX: dict[str, Entry] = {
    # gateway: identity and tenants
    "POST /api/v1/auth/register": SIGN_IN,
    "POST /api/v1/auth/token": SIGN_IN,
    "POST /api/v1/auth/refresh": SIGN_IN,
    "POST /api/v1/auth/logout": SIGN_IN,
    "POST /api/v1/invitations/accept": SIGN_IN,
    "GET /api/v1/me": SELF,
    "GET /api/v1/api-keys": SELF,
    "POST /api/v1/api-keys": Entry(roles=EVERYONE, body={"name": "k", "scopes": ["read"]}),
    "DELETE /api/v1/api-keys/{key_id}": Entry(roles=frozenset({"owner"}), personal=True),
    "POST /api/v1/tenants/{tenant_id}/invitations": W(
        "manage_members", "tenant", body={"email": "new@example.com", "roles": ["viewer"]}
    ),
    "GET /api/v1/tenants/{tenant_id}/members": R("tenant"),
    "PATCH /api/v1/tenants/{tenant_id}/members/{user_id}": W(
        "manage_members", "tenant", body={"roles": ["viewer"]}
    ),
    "DELETE /api/v1/tenants/{tenant_id}/members/{user_id}": W("manage_members", "tenant"),
    "GET /api/v1/tenants/{tenant_id}/audit-log": W("manage_members", "tenant"),
    "GET /api/v1/benchmarks": R("benchmark"),
    "PUT /api/v1/benchmarks/{name}": W(
        "manage_settings",
        "benchmark",
        body={"components": [{"asset_class": "cash", "weight": "1", "annual_rate": "0.02"}]},
    ),
    "GET /api/v1/store/assets": SELF,
    # gateway: portfolios and their analytics
    "POST /api/v1/portfolios": W("write", "portfolio", body={"name": "p"}),
    "GET /api/v1/portfolios": SELF,
    "GET /api/v1/portfolios/{portfolio_id}": R("portfolio"),
    "PATCH /api/v1/portfolios/{portfolio_id}": W("write", "portfolio", body={"name": "q"}),
    "DELETE /api/v1/portfolios/{portfolio_id}": W("write", "portfolio", fresh=True),
    **{
        f"GET /api/v1/portfolios/{{portfolio_id}}/{view}": R("portfolio")
        for view in (
            "valuation",
            "constituents",
            "holdings",
            "performance",
            "risk",
            "growth",
            "allocation",
            "summary",
            "targets",
            "attribution",
        )
    },
    "GET /api/v1/portfolios/{portfolio_id}/targets": Entry("read", "portfolio", absent=True),
    "GET /api/v1/portfolios/{portfolio_id}/stream": R("portfolio"),
    "POST /api/v1/portfolios/{portfolio_id}/snapshots": W("write", "portfolio"),
    "POST /api/v1/portfolios/{portfolio_id}/calculate": R("portfolio"),
    "PUT /api/v1/portfolios/{portfolio_id}/targets": W("write", "portfolio"),
    "POST /api/v1/portfolios/{portfolio_id}/rebalance-plans": W("rebalance", "portfolio"),
    "GET /api/v1/portfolios/{portfolio_id}/rebalance-plans/{plan_id}": R("portfolio"),
    # Executing places orders: it needs the right to trade as well as to rebalance.
    "POST /api/v1/portfolios/{portfolio_id}/rebalance-plans/{plan_id}/execute": W(
        "rebalance", "portfolio", also=(("trade", "account"),)
    ),
    "POST /api/v1/portfolios/{portfolio_id}/rebalance": W("rebalance", "portfolio"),
}
"""Keys are `METHOD /api/v1/...` templates; the forwarded services follow."""

BOND = {"name": "Note", "coupon_rate": "0.0425", "issue_date": "2025-05-15",
        "maturity_date": "2035-05-15"}  # fmt: skip
EQUITY, BONDS, LEDGER = "/api/v1/equity", "/api/v1/bonds", "/api/v1/ledger"
ESTATE, ISSUANCE = "/api/v1/realestate", "/api/v1/issuance"
TRADE, POST_TX = W("trade", "account"), W("post_transaction", "account")
PROPERTY, INVEST = W("write", "property"), W("invest", "campaign")
FEE = {"initial_amount": "25"}

MATRIX |= {
    f"GET {EQUITY}/instruments": R("instrument"),
    f"GET {EQUITY}/instruments/{{instrument_id}}": R("instrument"),
    f"GET {EQUITY}/instruments/{{instrument_id}}/bars": R("instrument"),
    f"GET {EQUITY}/quotes/{{symbol}}": R("instrument"),
    f"POST {EQUITY}/orders": TRADE,
    f"GET {EQUITY}/orders": R("order"),
    f"GET {EQUITY}/orders:by_client_order_id": R("order"),
    f"GET {EQUITY}/orders/{{order_id}}": R("order"),
    f"DELETE {EQUITY}/orders/{{order_id}}": TRADE,
    f"GET {EQUITY}/orders/{{order_id}}/events": R("order"),
    f"GET {EQUITY}/positions": R("account"),
    f"POST {BONDS}/bonds": W("write", "bond", body=BOND),
    f"GET {BONDS}/bonds": R("bond"),
    f"GET {BONDS}/bonds/{{bond_id}}": R("bond"),
    f"GET {BONDS}/bonds/{{bond_id}}/cashflows": R("bond"),
    f"POST {BONDS}/bonds/{{bond_id}}/marks": W("write", "bond"),
    f"GET {BONDS}/bonds/{{bond_id}}/valuation": R("account"),  # the tenant's position in it
    f"GET {BONDS}/calendars": R("calendar"),
    f"GET {BONDS}/indices/{{index}}/fixings": R("bond"),
    f"POST {BONDS}/indices/{{index}}/fixings": W(
        "write", "bond", body={"fixings": [{"fixing_date": "2026-01-02", "rate": "0.0431"}]}
    ),
    f"POST {BONDS}/curves": W("write", "curve"),
    f"GET {BONDS}/curves/{{curve_id}}": R("curve"),
    f"GET {BONDS}/curves/{{curve_id}}/{{quantity}}": R("curve"),
    f"GET {BONDS}/jobs/{{job_id}}": R("bond"),
    f"GET {BONDS}/jobs/{{job_id}}/result": R("bond"),
    f"POST {BONDS}/trades": TRADE,
    f"GET {BONDS}/trades": R("account"),
    f"GET {BONDS}/trades/{{trade_id}}": R("account"),
    f"GET {LEDGER}/assets": R("account"),
    f"POST {LEDGER}/assets": POST_TX,
    f"POST {LEDGER}/accounts": POST_TX,
    f"GET {LEDGER}/accounts": R("account"),
    f"GET {LEDGER}/accounts/{{account_id}}": R("account"),
    f"GET {LEDGER}/accounts/{{account_id}}/balance": R("account"),
    f"GET {LEDGER}/accounts/{{account_id}}/entries": R("account"),
    f"POST {LEDGER}/accounts/{{account_id}}/close": POST_TX,
    f"POST {LEDGER}/transactions": POST_TX,
    f"GET {LEDGER}/transactions": R("account"),
    f"POST {LEDGER}/transactions/batch": POST_TX,
    f"GET {LEDGER}/transactions/{{transaction_id}}": R("account"),
    f"POST {LEDGER}/transactions/{{transaction_id}}/post": POST_TX,
    f"POST {LEDGER}/transactions/{{transaction_id}}/void": POST_TX,
    f"POST {LEDGER}/transactions/{{transaction_id}}/reverse": POST_TX,
    f"POST {LEDGER}/deposits": POST_TX,
    f"POST {LEDGER}/withdrawals": POST_TX,
    f"GET {LEDGER}/audit/verify": R("account"),
    f"POST {LEDGER}/audit/link": POST_TX,
    f"POST {ESTATE}/buildings": W("write", "property", body={"name": "B"}),
    f"GET {ESTATE}/buildings": R("property"),
    f"GET {ESTATE}/buildings/{{building_id}}": R("property"),
    f"PATCH {ESTATE}/buildings/{{building_id}}": PROPERTY,
    f"DELETE {ESTATE}/buildings/{{building_id}}": W("write", "property", fresh=True),
    f"POST {ESTATE}/buildings/{{building_id}}/appraisals": PROPERTY,
    f"GET {ESTATE}/buildings/{{building_id}}/valuation": R("property"),
    f"POST {ESTATE}/buildings/{{building_id}}/units": W("write", "property", body={"label": "Z"}),
    f"POST {ESTATE}/buildings/{{building_id}}/units/bulk": W(
        "write", "property", body={"units": [{"label": "Z1"}]}
    ),
    f"GET {ESTATE}/units": R("property"),
    f"GET {ESTATE}/units/{{unit_id}}": R("property"),
    f"PATCH {ESTATE}/units/{{unit_id}}": PROPERTY,
    f"DELETE {ESTATE}/units/{{unit_id}}": W("write", "property", fresh=True),
    f"POST {ESTATE}/tenants": W("write", "property", body={"name": "T"}),
    f"GET {ESTATE}/tenants": R("property"),
    f"GET {ESTATE}/tenants/{{renter_id}}": R("property"),
    f"PATCH {ESTATE}/tenants/{{renter_id}}": PROPERTY,
    f"POST {ESTATE}/leases": PROPERTY,
    f"GET {ESTATE}/leases": R("property"),
    f"GET {ESTATE}/leases/{{lease_id}}": R("property"),
    **{
        f"POST {ESTATE}/leases/{{lease_id}}/{act}": PROPERTY
        for act in ("activate", "rent-steps", "end", "terminate", "renew", "charges")
    },
    f"POST {ESTATE}/leases/{{lease_id}}/payments": W("record_payment", "property"),
    f"GET {ESTATE}/leases/{{lease_id}}/ledger": R("property"),
    f"GET {ESTATE}/leases/{{lease_id}}/balance": R("property"),
    f"GET {ESTATE}/payments/{{payment_id}}": R("property"),
    f"POST {ESTATE}/payments/{{payment_id}}/reverse": W("record_payment", "property"),
    f"POST {ESTATE}/payments/{{payment_id}}/reallocate": W("record_payment", "property"),
    f"POST {ESTATE}/charges/{{charge_id}}/void": PROPERTY,
    f"POST {ESTATE}/charges/{{charge_id}}/waive": PROPERTY,
    f"POST {ESTATE}/charges/{{charge_id}}/write-off": W("write_off", "property"),
    f"GET {ESTATE}/leases/{{lease_id}}/deposit": R("property"),
    f"POST {ESTATE}/leases/{{lease_id}}/deposit/{{action}}": PROPERTY,
    f"POST {ESTATE}/expenses": W("record_expense", "property"),
    f"GET {ESTATE}/expenses": R("property"),
    f"PUT {ESTATE}/expenses/{{expense_id}}/receipt": W("record_expense", "property"),
    f"GET {ESTATE}/expenses/{{expense_id}}/receipt": R("property"),
    **{
        f"GET {ESTATE}/reports/{report}": R("property")
        for report in (
            "rent-roll",
            "delinquency",
            "cash-flow",
            "schedule-e",
            "profitability",
            "owner-statement",
        )
    },
    f"GET {ESTATE}/reports/year-end": W("export", "property"),
    f"GET {ESTATE}/settings": R("property"),
    f"PUT {ESTATE}/settings": W("manage_settings", "property", body={"fees_last": True}),
    f"GET {ESTATE}/late-fee-policies": R("property"),
    f"PUT {ESTATE}/late-fee-policies/organization": W("manage_settings", "property", body=FEE),
    f"PUT {ESTATE}/late-fee-policies/buildings/{{building_id}}": W("write", "property", body=FEE),
    f"PUT {ESTATE}/late-fee-policies/leases/{{lease_id}}": W("write", "property", body=FEE),
    f"GET {ESTATE}/audit-log": W("export", "property"),
    f"POST {ISSUANCE}/issuers": W("write", "issuer"),
    f"GET {ISSUANCE}/issuers/{{issuer_id}}": R("issuer"),
    f"POST {ISSUANCE}/issuers/{{issuer_id}}/documents": W("write", "issuer"),
    f"GET {ISSUANCE}/issuers/{{issuer_id}}/documents": R("issuer"),
    f"POST {ISSUANCE}/issuers/{{issuer_id}}/kyc": W("review_kyc", "issuer"),
    f"POST {ISSUANCE}/investors": W("write", "investor"),
    f"GET {ISSUANCE}/investors/{{investor_id}}": R("investor"),
    f"POST {ISSUANCE}/investors/{{investor_id}}/review": W("review_kyc", "investor"),
    f"GET {ISSUANCE}/investors/{{investor_id}}/limits": R("investor"),
    f"POST {ISSUANCE}/campaigns": W("write", "campaign"),
    f"GET {ISSUANCE}/campaigns": R("campaign"),
    f"GET {ISSUANCE}/campaigns/{{campaign_id}}": R("campaign"),
    **{
        f"POST {ISSUANCE}/campaigns/{{campaign_id}}/{act}": W("write", "campaign")
        for act in ("submit", "launch", "extend", "early-close", "material-change", "cancel")
    },
    f"POST {ISSUANCE}/campaigns/{{campaign_id}}/review": W("approve", "campaign"),
    f"GET {ISSUANCE}/campaigns/{{campaign_id}}/progress": R("campaign"),
    f"GET {ISSUANCE}/campaigns/{{campaign_id}}/valuation": R("campaign"),
    f"POST {ISSUANCE}/campaigns/{{campaign_id}}/investments": INVEST,
    f"GET {ISSUANCE}/investments/{{investment_id}}": R("campaign"),
    f"POST {ISSUANCE}/investments/{{investment_id}}/reconfirm": INVEST,
    f"POST {ISSUANCE}/investments/{{investment_id}}/cancel": INVEST,
    f"GET {ISSUANCE}/investments/{{investment_id}}/certificate": R("campaign"),
    f"GET {ISSUANCE}/chain/intents": W("write", "chain_intent"),
    f"POST {ISSUANCE}/chain/intents/{{intent_id}}/rebroadcast": W("write", "chain_intent"),
}


def public_endpoints(apps: dict[str, Any]) -> list[str]:
    """Every public endpoint: the gateway's own and each forwarded service's `/v1` routes."""
    found = []
    for template, operations in apps["portfolio"].openapi()["paths"].items():
        if template.startswith("/api/v1/") and "{prefix}" not in template:
            found += [f"{m.upper()} {template}" for m in operations if m in HTTP_METHODS]
    for prefix, service in PUBLIC_PREFIXES.items():
        for template, operations in apps[service].openapi()["paths"].items():
            if template.startswith("/v1/"):
                public = f"/api/v1/{prefix}/{template.removeprefix('/v1/')}"
                found += [f"{m.upper()} {public}" for m in operations if m in HTTP_METHODS]
    return sorted(found)


def _gate(prefix: str, method: str) -> Entry:
    # Probes ask no policy question of their own: only the gateway's check of the service
    # (any read of it for a GET, any write for a POST) stands in front of them.
    from portfolio_service.gateway.access import SERVICE_ACCESS

    access = SERVICE_ACCESS[prefix]
    acts = [("read", kind) for kind in access.reads] if method == "GET" else access.writes
    either = ("me", "someone-else")
    return Entry(
        roles=frozenset(r for r in ROLES if any(_policy_allows(r, *a, either) for a in acts))
    )


for _prefix in PUBLIC_PREFIXES:
    MATRIX[f"POST /api/v1/{_prefix}/probes"] = _gate(_prefix, "POST")
    MATRIX[f"GET /api/v1/{_prefix}/probes/{{probe_id}}"] = _gate(_prefix, "GET")
# Analytics only computes, but the gateway takes every POST to the bond service for a write:
# only those who may write bonds or curves, or trade, get through (docs/portfolio.md).
MATRIX[f"POST {BONDS}/analytics/bonds:batch"] = _gate("bonds", "POST")


# --- the fleet in-process --------------------------------------------------------------


@pytest.fixture
async def service_apps(test_resources, ledger_app, equity_app):
    """Bonds, real estate and issuance beside the conftest's ledger and equity apps."""
    apps = {"ledger": ledger_app, "equity": equity_app}
    for service in ("fixed_income", "realestate", "issuance"):
        package = SERVICE_OF_PACKAGE[service]
        module = __import__(f"{package}.main", fromlist=["create_app"])
        apps[service] = module.create_app(
            test_resources.settings(package), ledger_transport=httpx.ASGITransport(app=ledger_app)
        )
    yield apps
    from fleetkit.testing.plugin import truncate_all

    for service in ("fixed_income", "realestate", "issuance"):
        app = apps[service]
        await close_app(app)
        await truncate_all(test_resources.engine(SERVICE_OF_PACKAGE[service]))


@pytest.fixture
async def gateway_app(gateway_settings, service_apps, committed, redis, bus):
    app = create_app(
        gateway_settings,
        transports={name: httpx.ASGITransport(app=a) for name, a in service_apps.items()},
    )
    app.state.matrix_apps = {"portfolio": app, **service_apps}
    yield app
    await close_app(app)


# --- seeding one tenant's objects --------------------------------------------------------


@dataclass
class Tenant:
    """A tenant with one member per role, and objects its paths can name."""

    id: str
    headers: dict[str, dict[str, str]]
    ids: dict[str, str] = field(default_factory=dict)


async def _made(gateway: httpx.AsyncClient, headers, path: str, body: dict[str, Any]) -> str:
    response = await gateway.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), f"{path}: {response.text}"
    return str(response.json()["id"])


async def seed(gateway: httpx.AsyncClient, people, name: str) -> Tenant:
    signed_up = await people.register(f"owner@{name}.example", tenant_name=name)
    tenant_id = signed_up["memberships"][0]["tenant_id"]
    owner = await people.headers(f"owner@{name}.example")
    headers = {"owner": owner}
    for role in ROLES[1:]:
        headers[role] = await people.member(owner, tenant_id, f"{role}@{name}.example", [role])
    tenant = Tenant(tenant_id, headers)
    tenant.ids["tenant_id"] = tenant_id
    tenant.ids["portfolio_id"] = await _made(gateway, owner, "/api/v1/portfolios", {"name": "p"})
    tenant.ids["key_id"] = await _made(
        gateway, owner, "/api/v1/api-keys", {"name": "k", "scopes": ["read"]}
    )
    await gateway.post(f"{LEDGER}/assets", json={"asset": "USD/2"}, headers=owner)
    account = await _made(gateway, owner, f"{LEDGER}/accounts",
                          {"name": f"{name}/cash", "asset": "USD/2"})  # fmt: skip
    tenant.ids["account_id"] = account
    deposit = {"id": str(uuid.uuid4()), "account_id": account, "amount": "1000.00"}
    tenant.ids["transaction_id"] = await _made(gateway, owner, f"{LEDGER}/deposits", deposit)
    building = await _made(gateway, owner, f"{ESTATE}/buildings", {"name": "Elm"})
    tenant.ids["building_id"] = building
    unit = await _made(gateway, owner, f"{ESTATE}/buildings/{building}/units", {"label": "1"})
    tenant.ids["unit_id"] = unit
    tenant.ids["renter_id"] = await _made(gateway, owner, f"{ESTATE}/tenants", {"name": "Dana"})
    lease = {"unit_id": unit, "tenant_id": tenant.ids["renter_id"], "start_on": "2025-01-01",
             "rent": [{"effective_on": "2025-01-01", "amount": "1000"}]}  # fmt: skip
    tenant.ids["lease_id"] = await _made(gateway, owner, f"{ESTATE}/leases", lease)
    issuer = {"name": "Acme", "cash_account_id": account}
    tenant.ids["issuer_id"] = await _made(gateway, owner, f"{ISSUANCE}/issuers", issuer)
    campaign = {"issuer_id": tenant.ids["issuer_id"], "name": "Seed", "unit_price": "10.00",
                "min_target": "1000.00", "max_target": "5000.00", "duration_days": 30,
                "allowed_jurisdictions": ["US"]}  # fmt: skip
    tenant.ids["campaign_id"] = await _made(gateway, owner, f"{ISSUANCE}/campaigns", campaign)
    return tenant


async def fresh_object(gateway: httpx.AsyncClient, tenant: Tenant, param: str) -> str:
    """A new object for a call that destroys the one it names."""
    owner = tenant.headers["owner"]
    if param == "portfolio_id":
        return await _made(gateway, owner, "/api/v1/portfolios", {"name": "doomed"})
    if param == "building_id":
        return await _made(gateway, owner, f"{ESTATE}/buildings", {"name": "Doomed"})
    building = tenant.ids["building_id"]
    return await _made(gateway, owner, f"{ESTATE}/buildings/{building}/units",
                       {"label": f"u{uuid.uuid4().hex[:6]}"})  # fmt: skip


REFERENCE_PARAMS = {"quantity": "discount", "action": "receive", "index": "SOFR", "name": "model"}


def concrete(template: str, ids: dict[str, str]) -> tuple[str, bool]:
    """The path with the tenant's objects in it, and whether every id named a real object."""
    path, seeded = template.split(" ", 1)[1], True
    for param in re.findall(r"\{(\w+)\}", path):
        if param in ids:
            value = ids[param]
        elif param in REFERENCE_PARAMS:
            value = REFERENCE_PARAMS[param]
        else:
            value, seeded = str(uuid.uuid4()), False
        path = path.replace(f"{{{param}}}", value)
    return path, seeded


# --- the matrix ------------------------------------------------------------------------


def test_every_public_endpoint_has_a_matrix_entry(gateway_app):
    endpoints = public_endpoints(gateway_app.state.matrix_apps)

    assert sorted(set(endpoints) - set(MATRIX)) == [], "give each new endpoint a MATRIX entry"
    assert sorted(set(MATRIX) - set(endpoints)) == [], "these entries name no endpoint"


# Answers that refuse a request before access is even looked at: the body or a header is
# missing or malformed. They do nothing, whoever asks; a forbidden role may get them too.
REFUSED_AS_MALFORMED = {422, 428}


def verdict(entry: Entry, role: str, status: int, seeded: bool, names_object: bool) -> str | None:
    """What is wrong with `status` for `role` on this endpoint, or None."""
    if status == 401 or status >= 500:
        return "never"
    if role in entry.allowed(names_object):
        if status == 403 or (status == 404 and seeded and not entry.absent):
            return "allowed"
        return None
    refusal = 404 if entry.personal else 403
    if status == refusal or status in REFUSED_AS_MALFORMED:
        return None
    return None if status == 404 and (not seeded or entry.absent) else "forbidden"


async def call(gateway, endpoint: str, entry: Entry, path: str, headers) -> httpx.Response:
    method = endpoint.split(" ", 1)[0]
    answer: httpx.Response = await gateway.request(
        method, path, json=entry.body if method != "GET" else None, headers=headers,
        params={"max_events": "1"} if path.endswith("/stream") else None,
    )  # fmt: skip
    return answer


async def test_each_role_of_the_tenant_against_every_endpoint(gateway, people):
    home = await seed(gateway, people, "home")
    wrong, refused_403 = [], 0
    for endpoint, entry in MATRIX.items():
        if entry is SIGN_IN:
            continue
        for role in ROLES:
            ids = dict(home.ids)
            if entry.fresh:
                for param in re.findall(r"\{(\w+_id)\}", endpoint):
                    ids[param] = await fresh_object(gateway, home, param)
            path, seeded = concrete(endpoint, ids)
            names_object = "{" in endpoint.split("/api/v1/", 1)[1]
            answer = await call(gateway, endpoint, entry, path, home.headers[role])
            refused_403 += answer.status_code == 403
            problem = verdict(entry, role, answer.status_code, seeded, names_object)
            if problem:
                wrong.append(f"{endpoint} as {role}: {answer.status_code} ({problem}) "
                             f"{answer.text[:160]}")  # fmt: skip

    assert not wrong, "\n".join(wrong)
    assert refused_403 >= 200


async def test_another_tenants_objects_look_exactly_like_objects_that_do_not_exist(gateway, people):
    # Another tenant's id gets the answer a made-up id gets (404, or the same refusal of a
    # malformed body or a role that may not do this at all): nothing tells them apart.
    home = await seed(gateway, people, "home")
    signed_up = await people.register("owner@away.example", tenant_name="away")
    away_owner = await people.headers("owner@away.example")
    away_tenant = signed_up["memberships"][0]["tenant_id"]
    strangers = {
        "owner": away_owner,
        "admin": await people.member(away_owner, away_tenant, "admin@away.example", ["admin"]),
    }
    made_up = {name: str(uuid.uuid4()) for name in home.ids}
    wrong, not_found = [], 0
    for endpoint, entry in MATRIX.items():
        path, seeded = concrete(endpoint, home.ids)
        names_object = any(v in path for v in home.ids.values())
        if entry is SIGN_IN or not seeded or not names_object or entry.kind in REFERENCE_KINDS:
            continue
        for role, headers in strangers.items():
            theirs = await call(gateway, endpoint, entry, path, headers)
            if theirs.status_code == 404:
                not_found += 1
                continue
            nothing = await call(gateway, endpoint, entry, concrete(endpoint, made_up)[0], headers)
            if theirs.status_code != nothing.status_code or theirs.status_code < 400:
                wrong.append(f"{endpoint} as {role} of another tenant: {theirs.status_code}, "
                             f"for a made-up id {nothing.status_code}")  # fmt: skip

    assert not wrong, "\n".join(wrong)
    assert not_found >= 50
