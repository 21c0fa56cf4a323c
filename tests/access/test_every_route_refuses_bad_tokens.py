"""Every route of every running service refuses a caller without a valid token (DESIGN.md §4).

The routes are read from each app itself, so a route added tomorrow is in the matrix. Each
one is called with no token and with every forgery of `forged_tokens` (wrong audience,
expired, re-signed, `alg: none`, wrong issuer or kid, tampered payload, ...); every answer
must be 401 with an RFC 9457 problem document and a `WWW-Authenticate` challenge, before the
request body or the path is even looked at.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from fleetkit.problems import PROBLEM_JSON
from fleetkit.settings import SERVICES
from fleetkit.testing.forged_tokens import FORGERIES, claims_for, signed

# Open to anyone by design: probes for orchestrators and the scraper.
OPEN_EVERYWHERE = {"/health", "/ready", "/metrics"}
# The gateway's sign-in door: these authenticate by what they carry (a password, a refresh
# token, an invitation token), never by a bearer token.
GATEWAY_SIGN_IN = {
    "/api/v1/auth/register",
    "/api/v1/auth/token",
    "/api/v1/auth/refresh",
    "/api/v1/auth/logout",
    "/api/v1/invitations/accept",
}
GATEWAY_PUBLIC_AUDIENCE = "finfleet-api"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(params=[f"{service}_service" for service in SERVICES])
def service_package(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def guarded_calls(app: Any) -> list[tuple[str, str]]:
    """(method, concrete path) of every route that must demand a token.

    Read from the app's OpenAPI, which lists every route but `/metrics` (the one route kept
    out of the schema, and open by design)."""
    calls = []
    for template, operations in app.openapi()["paths"].items():
        if template in OPEN_EVERYWHERE | GATEWAY_SIGN_IN:
            continue
        path = template.replace("{prefix}", "ledger").replace("{path}", "accounts")
        path = re.sub(r"\{\w*_id\}", str(uuid.uuid4()), path)
        path = re.sub(r"\{\w+\}", "x", path)
        calls += [(method.upper(), path) for method in operations if method in HTTP_METHODS]
    return calls


def audience_of(path: str, service: str) -> str:
    """The audience a genuine token for `path` names: the gateway's public API has its own."""
    return GATEWAY_PUBLIC_AUDIENCE if path.startswith("/api/") else service


def refusals(answers: list[tuple[str, Any]]) -> list[str]:
    """The answers that are not a proper 401 problem with a challenge."""
    wrong = []
    for label, response in answers:
        problem = response.headers.get("content-type", "").startswith(PROBLEM_JSON)
        challenged = response.headers.get("www-authenticate", "").startswith("Bearer")
        if response.status_code != 401 or not problem or not challenged:
            wrong.append(f"{label}: {response.status_code} {response.text[:120]}")
    return wrong


async def test_every_route_refuses_a_missing_or_forged_token(app, client, settings, fleet_keys):
    calls = guarded_calls(app)
    refused = []
    for method, path in calls:
        audience = audience_of(path, settings.service_name)
        response = await client.request(method, path, json={})
        refused.append((f"no token: {method} {path}", response))
        for defect, forge in FORGERIES.items():
            headers = {"Authorization": f"Bearer {forge(fleet_keys, audience)}"}
            response = await client.request(method, path, json={}, headers=headers)
            refused.append((f"{defect}: {method} {path}", response))

    assert len(calls) >= 5
    assert refusals(refused) == []


async def test_the_same_claims_correctly_signed_pass_authentication(
    app, client, settings, fleet_keys
):
    # The control: the forgeries are refused for their one defect, not for their claims.
    method, path = next(call for call in guarded_calls(app) if call[0] == "GET")
    token = signed(fleet_keys, claims_for(audience_of(path, settings.service_name)))

    response = await client.request(method, path, headers={"Authorization": f"Bearer {token}"})

    assert "www-authenticate" not in response.headers, response.text
