"""The Kubernetes manifests of deploy/k8s as the cluster would receive them, and what the
code says they must allow (who calls whom).

Each overlay is built by the real kustomize, the one inside `kubectl` (`kubectl kustomize`,
the same code `kubectl apply -k` runs); nothing here re-implements it.
"""

from __future__ import annotations

import ast
import functools
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from fleetkit.settings import SERVICES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "production")
NAMESPACES = {"dev": "finfleet-dev", "production": "finfleet"}
BASES = {short: short.replace("_", "-") for short in SERVICES}
PORTS = {short: 8000 + index for index, short in enumerate(SERVICES)}
COMPOSE_FILE = ROOT / "docker-compose.yml"

Manifest = dict[str, Any]


class GoYamlLoader(yaml.SafeLoader):
    """Reads kustomize's output as Kubernetes does (go-yaml): a plain scalar that looks like
    an integer but does not fit in 64 bits is a string. kustomize leaves such values unquoted
    (a 160-bit contract address `0x5FbD...`); PyYAML alone would make them integers."""


def _int_or_string(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str:
    value = yaml.SafeLoader.construct_yaml_int(loader, node)
    return value if -(2**63) <= value < 2**63 else str(node.value)


GoYamlLoader.add_constructor("tag:yaml.org,2002:int", _int_or_string)


@functools.cache
def build(kustomization: str) -> tuple[Manifest, ...]:
    """`kubectl kustomize deploy/k8s/<kustomization>`, parsed (cached per test session)."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise AssertionError(
            "kubectl is not installed: it carries kustomize (`kubectl kustomize`); install "
            "it (Debian: kubernetes-client, or the kubectl package) to build deploy/k8s"
        )
    done = subprocess.run(
        [kubectl, "kustomize", str(K8S / kustomization)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, f"kustomize {kustomization} failed:\n{done.stderr}"
    return tuple(doc for doc in yaml.load_all(done.stdout, GoYamlLoader) if doc)


def fleet(overlay: str) -> tuple[Manifest, ...]:
    """An overlay's fleet and its migration Jobs: everything one environment applies."""
    return build(f"overlays/{overlay}") + build(f"overlays/{overlay}/migrations")


def of_kind(manifests: tuple[Manifest, ...], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def named(manifests: tuple[Manifest, ...], kind: str, name: str) -> Manifest:
    found = [m for m in of_kind(manifests, kind) if m["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_templates(manifests: tuple[Manifest, ...]) -> Iterator[tuple[Manifest, Manifest]]:
    """(workload, pod template) of every Deployment and Job."""
    for manifest in manifests:
        if manifest["kind"] in ("Deployment", "Job"):
            yield manifest, manifest["spec"]["template"]


def containers(template: Manifest) -> list[Manifest]:
    spec = template["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


@functools.cache
def compose() -> Manifest:
    loaded: Manifest = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def main_container(template: Manifest) -> Manifest:
    only: Manifest = template["spec"]["containers"][0]
    return only


# ---- what the code says -------------------------------------------------------------------


@functools.cache
def sources(short: str) -> str:
    package = ROOT / f"{short}_service"
    return "\n".join(
        path.read_text() for path in package.rglob("*.py") if "tests" not in path.parts
    )


def http_callees(short: str) -> set[str]:
    """The services whose URL this service's code looks up (`service_url("ledger")`, or each
    name of a DOWNSTREAM tuple looked up in a loop)."""
    code = sources(short)
    callees = set(re.findall(r'service_url\("(\w+)"\)', code))
    if re.search(r"service_url\(name\) for name in DOWNSTREAM", code):
        for literal in re.findall(r"^DOWNSTREAM = (\(.*?\))$", code, re.MULTILINE):
            callees.update(ast.literal_eval(literal))
    return callees


@functools.cache
def chain_clients() -> frozenset[str]:
    return frozenset({short for short in SERVICES if "chain_rpc_url" in sources(short)})
