"""The gateway documents the whole public surface: each service's committed OpenAPI snapshot
equals what the service's app answers today, and the gateway's /openapi.json publishes them
under /api/v1/<prefix>/ with resolvable schemas. Offline: nothing but the apps in-process.

`UPDATE_OPENAPI_SNAPSHOTS=1 uv run pytest portfolio_service/tests/integration/
test_public_openapi.py` rewrites the snapshots after a service's API changed.
"""

from __future__ import annotations

import importlib
import json
import os
from typing import Any

import pytest

from portfolio_service.gateway.openapi import PACKAGES, snapshot_of


def current_openapi(test_resources, package: str) -> dict[str, Any]:
    app = importlib.import_module(f"{package}.main").create_app(test_resources.settings(package))
    document: dict[str, Any] = json.loads(json.dumps(app.openapi()))
    return document


@pytest.mark.parametrize("prefix", sorted(PACKAGES))
async def test_each_snapshot_is_the_services_current_openapi(test_resources, prefix):
    current = current_openapi(test_resources, PACKAGES[prefix])
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOTS") == "1":
        snapshot_of(prefix).write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")

    committed = json.loads(snapshot_of(prefix).read_text())

    assert committed == current, (
        f"{prefix}'s OpenAPI changed: rerun this test with UPDATE_OPENAPI_SNAPSHOTS=1"
    )


def refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs_in(value)]
    if isinstance(node, list):
        return [r for item in node for r in refs_in(item)]
    return []


async def test_the_gateway_documents_every_services_paths_with_their_schemas(gateway):
    spec = (await gateway.get("/openapi.json")).json()
    paths = spec["paths"]
    schemas = spec["components"]["schemas"]

    assert "/api/v1/ledger/accounts/{account_id}/balance" in paths
    assert "/api/v1/equity/orders" in paths
    assert "/api/v1/bonds/bonds" in paths
    assert "/api/v1/realestate/leases" in paths
    assert "/api/v1/issuance/campaigns" in paths
    assert "/api/v1/portfolios/{portfolio_id}/attribution" in paths  # the gateway's own
    assert "/api/v1/{prefix}/{path}" not in paths
    assert not [p for p in paths if p.startswith("/api/v1/") and p.endswith(("/health", "/ready"))]
    create = paths["/api/v1/ledger/transactions"]["post"]
    assert create["operationId"].startswith("ledger_")
    assert "ledger.TransactionCreate" in json.dumps(create["requestBody"])
    for ref in refs_in(spec):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()
                     if isinstance(op, dict) and "operationId" in op]  # fmt: skip
    assert len(operation_ids) == len(set(operation_ids))
