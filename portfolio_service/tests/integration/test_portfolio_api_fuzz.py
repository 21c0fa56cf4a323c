"""The gateway's own OpenAPI fuzzed with schemathesis against its real process, signed in as a
registered user (owner of a new tenant), with a real ledger behind it.

The forwarding route (`/api/v1/{prefix}/{path}`) is left out here: what it forwards to is each
service's own API, fuzzed in that service's suite.
"""

from __future__ import annotations

import httpx

from fleetkit.testing.fuzz import fuzz_service
from fleetkit.testing.served import ServedService

EXAMPLES_PER_OPERATION_AND_MODE = 30
PASSWORD = "correct horse battery staple"


def registered_user_token(gateway: ServedService) -> str:
    with httpx.Client(base_url=f"{gateway.base_url}/api/v1", timeout=30) as api:
        body = {"email": "fuzz@example.com", "password": PASSWORD, "display_name": "Fuzz",
                "tenant_name": "Fuzz Ltd"}  # fmt: skip
        registered = api.post("/auth/register", json=body)
        if registered.status_code != 409:  # asked once per operation: the first call registers
            registered.raise_for_status()
        grant = api.post("/auth/token", data={"username": body["email"], "password": PASSWORD})
        grant.raise_for_status()
        return str(grant.json()["access_token"])


def test_no_request_gets_a_server_error_or_a_non_problem(test_resources):
    failures = fuzz_service(
        "portfolio_service",
        test_resources,
        examples=EXAMPLES_PER_OPERATION_AND_MODE,
        with_ledger=True,
        sign_in=registered_user_token,
        skip_paths=("/api/v1/{prefix}/{path}",),
    )
    assert not failures, "\n\n".join(failures)
