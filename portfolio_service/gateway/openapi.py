"""The gateway's OpenAPI as the whole public surface: its own paths, and each service's `/v1/`
paths under `/api/v1/<prefix>/` with their schemas.

The services' documents are committed snapshots (`openapi_snapshots/<prefix>.json`), so the
gateway serves them without asking the services and works offline; a test builds every
service's app and checks that its `app.openapi()` still equals the snapshot (and rewrites the
snapshots when run with `UPDATE_OPENAPI_SNAPSHOTS=1`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from portfolio_service.gateway.routes import PUBLIC_PREFIXES

SNAPSHOTS = Path(__file__).with_name("openapi_snapshots")
PACKAGES = {prefix: f"{service}_service" for prefix, service in PUBLIC_PREFIXES.items()}
"""Public prefix → the service's package."""
FORWARDING_PATH = "/api/v1/{prefix}/{path}"
SCHEMAS = "#/components/schemas/"


def snapshot_of(prefix: str) -> Path:
    return SNAPSHOTS / f"{prefix}.json"


def load_snapshots() -> dict[str, dict[str, Any]]:
    """Each published service's committed OpenAPI document, by public prefix."""
    return {prefix: json.loads(snapshot_of(prefix).read_text()) for prefix in PACKAGES}


def _renamed(node: Any, renames: Mapping[str, str]) -> Any:
    """`node` with every `$ref` to a component schema pointed at its renamed component."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMAS):
                out[key] = SCHEMAS + renames[value.removeprefix(SCHEMAS)]
            else:
                out[key] = _renamed(value, renames)
        return out
    if isinstance(node, list):
        return [_renamed(item, renames) for item in node]
    return node


def _public_operation(
    prefix: str, operation: dict[str, Any], renames: Mapping[str, str], security: Any
) -> dict[str, Any]:
    public: dict[str, Any] = _renamed(operation, renames)
    if "operationId" in public:
        public["operationId"] = f"{prefix}_{public['operationId']}"
    public["tags"] = [f"{prefix}: {tag}" for tag in public.get("tags", [])] or [prefix]
    # Through the gateway a caller authenticates as the gateway asks, not as a service does.
    public.pop("security", None)
    if security is not None:
        public["security"] = security
    return public


def merged(own: Mapping[str, Any], services: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The gateway's document with every service's `/v1/` paths published under
    `/api/v1/<prefix>/`, operation ids prefixed `<prefix>_`, component schemas renamed
    `<prefix>.<Name>`; the generic forwarding route gives way to the real paths."""
    spec = copy.deepcopy(dict(own))
    paths: dict[str, Any] = spec.setdefault("paths", {})
    paths.pop(FORWARDING_PATH, None)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    security = next(
        (op["security"] for item in paths.values() for op in item.values()
         if isinstance(op, dict) and "security" in op),
        None,
    )  # fmt: skip
    for prefix, service in sorted(services.items()):
        theirs = service.get("components", {}).get("schemas", {})
        renames = {name: f"{prefix}.{name}" for name in theirs}
        for name, schema in theirs.items():
            schemas[renames[name]] = _renamed(schema, renames)
        for path, item in sorted(service.get("paths", {}).items()):
            if not path.startswith("/v1/"):
                continue  # probes and metrics are not reachable through the gateway
            paths[f"/api/v1/{prefix}{path.removeprefix('/v1')}"] = {
                method: _public_operation(prefix, operation, renames, security)
                if isinstance(operation, dict) and method != "parameters"
                else _renamed(operation, renames)
                for method, operation in item.items()
            }
    return spec
