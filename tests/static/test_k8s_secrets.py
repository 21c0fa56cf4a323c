"""deploy/k8s: secrets come from Secret objects only, and dev's placeholders are refused by
the production settings of every service."""

from __future__ import annotations

import base64
import importlib
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from fleetkit.settings import SERVICES, SettingsError
from tests.static.k8s_manifests import (
    BASES,
    OVERLAYS,
    build,
    containers,
    fleet,
    named,
    of_kind,
    pod_templates,
)

SECRET_NAME = re.compile(r"(KEY|PASSWORD|SECRET|TOKEN)S?$")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_come_from_secret_objects_only(overlay: str) -> None:
    manifests = fleet(overlay)
    for _workload, template in pod_templates(manifests):
        for container in containers(template):
            for variable in container.get("env", []):
                name = variable["name"]
                if SECRET_NAME.search(name):
                    assert "secretKeyRef" in variable.get("valueFrom", {}), name
                if name.endswith("_DATABASE_URL"):
                    # The password part is a reference to the variable read from the Secret.
                    assert re.fullmatch(
                        r"postgresql\+asyncpg://\w+:\$\(\w+_DB_PASSWORD\)@[\w-]+:5432/\w+",
                        variable["value"],
                    ), variable["value"]
    for config in of_kind(manifests, "ConfigMap"):
        for key in config.get("data", {}):
            assert not SECRET_NAME.search(key), f"{key} in ConfigMap {config['metadata']['name']}"
    if overlay == "production":
        assert not of_kind(manifests, "Secret"), "production Secrets are made outside git"


def secret_values(name: str) -> dict[str, str]:
    data = named(build("overlays/dev"), "Secret", name)["data"]
    return {key: base64.b64decode(value).decode() for key, value in data.items()}


def real_key() -> tuple[str, str]:
    """A fresh Ed25519 (seed, public key), base64url without padding as the contract says."""
    private = Ed25519PrivateKey.generate()

    def encode(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return encode(private.private_bytes_raw()), encode(private.public_key().public_bytes_raw())


@pytest.mark.parametrize("short", SERVICES)
def test_dev_placeholder_secrets_are_refused_in_production(
    short: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix, base = short.upper() + "_", BASES[short]
    settings_class: Any = importlib.import_module(f"{short}_service.config").Settings
    monkeypatch.setenv("FLEET_ENV", "production")
    monkeypatch.setenv(f"{prefix}DATABASE_URL", "postgresql+asyncpg://u:a-real-one@db:5432/d")
    monkeypatch.setenv(f"{prefix}REDIS_URL", "redis://redis:6379/0")
    seed, public = real_key()
    monkeypatch.setenv(f"{prefix}JWT_PRIVATE_KEY", seed)
    monkeypatch.setenv("FLEET_JWT_PUBLIC_KEYS", f"{short}:{public}")
    chain_key = "0x" + "1f" * 32
    if short == "issuance":
        monkeypatch.setenv("ISSUANCE_CHAIN_PRIVATE_KEY", chain_key)
    settings_class()  # real values: accepted

    monkeypatch.setenv(f"{prefix}JWT_PRIVATE_KEY", secret_values(f"{base}-jwt")["private-key"])
    with pytest.raises((SettingsError, ValidationError), match="JWT_PRIVATE_KEY"):
        settings_class()
    monkeypatch.setenv(f"{prefix}JWT_PRIVATE_KEY", seed)
    for name, value in secret_values("fleet-jwt-public-keys").items():
        monkeypatch.setenv(name, value)
    with pytest.raises((SettingsError, ValidationError), match="FLEET_JWT_PUBLIC_KEYS"):
        settings_class()
    if short == "issuance":
        monkeypatch.setenv("FLEET_JWT_PUBLIC_KEYS", f"{short}:{public}")
        dev_chain_key = secret_values("issuance-chain-key")["private-key"]
        monkeypatch.setenv("ISSUANCE_CHAIN_PRIVATE_KEY", dev_chain_key)
        with pytest.raises((SettingsError, ValidationError), match="ISSUANCE_CHAIN_PRIVATE_KEY"):
            settings_class()
