"""The gateway's own OpenAPI fuzzed with schemathesis against its real process, signed in as a
registered user (owner of a new tenant), with a real ledger behind it.

The services' paths the gateway documents (`/api/v1/<prefix>/...`, forwarded) are left out
here: they are each service's own API, fuzzed in that service's suite.
"""

from __future__ import annotations

import httpx

from fleetkit.testing.fuzz import fuzz_service
from fleetkit.testing.served import ServedService
from portfolio_service.gateway.openapi import FORWARDING_PATH, load_snapshots, merged

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


def forwarded_paths() -> list[str]:
    """Every service path the gateway's document publishes."""
    return list(merged({"paths": {}}, load_snapshots())["paths"])


def test_no_request_gets_a_server_error_or_a_non_problem(test_resources):
    failures = fuzz_service(
        "portfolio_service",
        test_resources,
        examples=EXAMPLES_PER_OPERATION_AND_MODE,
        with_ledger=True,
        sign_in=registered_user_token,
        skip_paths=(FORWARDING_PATH, *forwarded_paths()),
    )
    assert not failures, "\n\n".join(failures)
