"""Static checks of deploy/k8s, built by the real kustomize (`kubectl kustomize`).

Kubernetes' own kinds pass kubernetes-validate (offline schemas, strict); the operators'
custom resources pass the structural schemas of k8s_crd_schemas.py. The manifests agree with
docker-compose.yml (processes, commands, images, variables) and with the code (which are the
stores). Secrets: test_k8s_secrets.py; network policies: test_k8s_network.py.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
from kubernetes_validate.utils import schema_contents  # type: ignore[import-untyped]
from referencing import Registry, Resource

from fleetkit.settings import SERVICES
from tests.static.k8s_crd_schemas import SCHEMAS
from tests.static.k8s_manifests import (
    BASES,
    NAMESPACES,
    OVERLAYS,
    ROOT,
    Manifest,
    build,
    chain_clients,
    compose,
    containers,
    fleet,
    main_container,
    named,
    of_kind,
    pod_templates,
)

KUBERNETES_VERSION = "1.30.0"  # the oldest version the manifests are for
STATELESS = ("app", "worker", "bus")
COMPOSE_SUFFIXES = {"": "app", "-worker": "worker", "-beat": "beat", "-bus": "bus"}


def workload_name(base: str, component: str) -> str:
    return base if component == "app" else f"{base}-{component}"


# ---- building and validating --------------------------------------------------------------


@functools.cache
def kubernetes_validator(api_version: str, kind: str) -> Any:
    """kubernetes_validate.validate's strict validator for one kind, its schemas loaded once
    (the library reads the 2 MB definitions file again on every call)."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    folder = f"kubernetes-json-schema/v{KUBERNETES_VERSION}-local-strict"
    schema = schema_contents(f"{folder}/{kind.lower()}-{group_version}.json", KUBERNETES_VERSION)
    definitions = schema_contents(f"{folder}/_definitions.json", KUBERNETES_VERSION)
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = Resource.from_contents(definitions) @ registry
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def test_the_loaded_once_validator_is_kubernetes_validates() -> None:
    deployment = named(build("overlays/production"), "Deployment", "ledger")
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    kubernetes_validator("apps/v1", "Deployment").validate(deployment)
    with pytest.raises(kubernetes_validate.ValidationError, match="replica"):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    with pytest.raises(jsonschema.ValidationError, match="replica"):
        kubernetes_validator("apps/v1", "Deployment").validate(broken)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_builtin_kinds_pass_kubernetes_validate(overlay: str) -> None:
    checked = 0
    for manifest in fleet(overlay):
        if (manifest["apiVersion"], manifest["kind"]) in SCHEMAS:
            continue
        kubernetes_validator(manifest["apiVersion"], manifest["kind"]).validate(manifest)
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_match_the_operators_schemas(overlay: str) -> None:
    custom = [m for m in fleet(overlay) if (m["apiVersion"], m["kind"]) in SCHEMAS]
    for manifest in custom:
        jsonschema.validate(manifest, SCHEMAS[manifest["apiVersion"], manifest["kind"]])
    kinds = {m["kind"] for m in custom}
    assert kinds >= {"Cluster", "RedisFailover", "ServiceMonitor"}


def test_custom_resource_schemas_refuse_a_misspelt_field() -> None:
    cluster = dict(named(build("overlays/production"), "Cluster", "ledger-db"))
    cluster["spec"] = {**cluster["spec"], "instance": 2}
    with pytest.raises(jsonschema.ValidationError, match="instance"):
        jsonschema.validate(cluster, SCHEMAS["postgresql.cnpg.io/v1", "Cluster"])


# ---- the same fleet as docker-compose.yml -------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_compose_process_runs_with_the_same_command(overlay: str) -> None:
    manifests = fleet(overlay)
    services = compose()["services"]
    for base in BASES.values():
        for suffix, component in [*COMPOSE_SUFFIXES.items(), ("-migrate", "migrate")]:
            kind = "Job" if component == "migrate" else "Deployment"
            workload = named(manifests, kind, workload_name(base, component))
            command = main_container(workload["spec"]["template"])["command"]
            if component == "worker":
                # The one difference: the pool follows the pod's CPU limit, not the node's cores.
                assert command[-2:] == ["--concurrency", "auto"]
                command = command[:-2]
            assert command == services[f"{base}{suffix}"]["command"], f"{base}{suffix}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_the_compose_images(overlay: str) -> None:
    compose_images = [service["image"] for service in compose()["services"].values()]
    # The fleet's own images are tagged per release (compose: ${FLEET_IMAGE_TAG:-local});
    # the others (anvil) must be the very same image and tag.
    released = {image.split(":")[0] for image in compose_images if "${" in image}
    pinned = {image for image in compose_images if "${" not in image}
    for workload, template in pod_templates(fleet(overlay)):
        for container in containers(template):
            image = container["image"]
            assert image.rsplit(":", 1)[0] in released or image in pinned, (
                f"{workload['metadata']['name']}: {image} is not a docker-compose.yml image"
            )


def env_names(manifests: tuple[Manifest, ...], container: Manifest) -> set[str]:
    """Every variable the container gets: its own and those of its envFrom sources."""
    names = {variable["name"] for variable in container.get("env", [])}
    for source in container.get("envFrom", []):
        for ref_key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            if ref_key in source:
                # Production holds no Secret: its keys are those of dev's placeholders.
                found = [
                    m
                    for m in (*manifests, *build("overlays/dev"))
                    if m["kind"] == kind and m["metadata"]["name"] == source[ref_key]["name"]
                ]
                assert found, f"no {kind} {source[ref_key]['name']}"
                names.update(found[0].get("data", {}))
    return names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_variable_is_a_compose_variable_and_none_is_missing(overlay: str) -> None:
    manifests = fleet(overlay)
    text = (ROOT / "docker-compose.yml").read_text()
    services = compose()["services"]
    for workload, template in pod_templates(manifests):
        for container in containers(template):
            names = env_names(manifests, container)
            for name in names:
                assert re.search(rf"\b{name}\b", text), f"{name} is not in docker-compose.yml"
            labels = template["metadata"]["labels"]
            compose_name = {
                "app": labels.get("finfleet.io/service"),
                "migrate": f"{labels.get('finfleet.io/service')}-migrate",
            }.get(labels.get("app.kubernetes.io/component", ""))
            if compose_name in services:
                missing = set(services[compose_name]["environment"]) - names
                if labels["finfleet.io/service"] not in {BASES[s] for s in chain_clients()}:
                    # Compose hands every service the chain's URL; only its clients get it here.
                    missing.discard("FLEET_CHAIN_RPC_URL")
                assert not missing, f"{workload['metadata']['name']} lacks {missing}"


# ---- probes, resources, scaling -----------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_resources_and_scaling_of_every_process(overlay: str) -> None:
    manifests = fleet(overlay)
    hpa_targets = {
        hpa["spec"]["scaleTargetRef"]["name"]: hpa
        for hpa in of_kind(manifests, "HorizontalPodAutoscaler")
    }
    budgets = [
        pdb["spec"]["selector"]["matchLabels"] for pdb in of_kind(manifests, "PodDisruptionBudget")
    ]
    for workload, template in pod_templates(manifests):
        name = workload["metadata"]["name"]
        for container in containers(template):
            for bound in ("requests", "limits"):
                assert set(container["resources"][bound]) == {"cpu", "memory"}, name
        labels = template["metadata"]["labels"]
        component = labels.get("app.kubernetes.io/component")
        if "finfleet.io/service" not in labels or component not in (*STATELESS, "beat"):
            continue
        main = main_container(template)
        if component == "app":
            assert main["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
            assert main["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
        elif component != "beat":
            assert main["livenessProbe"]["httpGet"] == {"path": "/metrics", "port": "metrics"}
        if component == "beat":
            assert workload["spec"]["replicas"] == 1, name
            assert workload["spec"]["strategy"] == {"type": "Recreate"}, name
            assert name not in hpa_targets, f"{name} must not autoscale"
        else:
            assert "replicas" not in workload["spec"], f"{name}: the HPA sets replicas"
            assert hpa_targets[name]["spec"]["minReplicas"] >= 1
            matching = [b for b in budgets if b.items() <= labels.items()]
            assert len(matching) == 1, f"{name}: one PodDisruptionBudget"


# ---- stores, chain, monitoring, ingress ---------------------------------------------------


def variable(container: Manifest, name: str) -> str:
    values = [v["value"] for v in container.get("env", []) if v["name"] == name]
    assert len(values) == 1, name
    value: str = values[0]
    return value


def test_each_service_has_its_own_replicated_backed_up_stores() -> None:
    manifests = build("overlays/production")
    backups = {b["spec"]["cluster"]["name"] for b in of_kind(manifests, "ScheduledBackup")}
    redis = {r["metadata"]["name"] for r in of_kind(manifests, "RedisFailover")}
    assert redis == {f"{base}-redis" for base in BASES.values()} | {"bus-redis"}
    for short, base in BASES.items():
        cluster = named(manifests, "Cluster", f"{base}-db")
        assert cluster["spec"]["instances"] == 2
        assert cluster["spec"]["bootstrap"]["initdb"]["database"] == f"finfleet_{short}"
        assert cluster["spec"]["backup"]["barmanObjectStore"]["destinationPath"]
        assert f"{base}-db" in backups
        app = main_container(named(manifests, "Deployment", base)["spec"]["template"])
        assert f"@{base}-db-rw:5432/finfleet_{short}" in variable(
            app, f"{short.upper()}_DATABASE_URL"
        )
        assert variable(app, f"{short.upper()}_REDIS_URL") == f"redis://rfrm-{base}-redis:6379/0"
    fleet_config = named(manifests, "ConfigMap", "fleet-config")["data"]
    assert fleet_config["FLEET_BUS_REDIS_URL"] == "redis://rfrm-bus-redis:6379/0"


@pytest.mark.parametrize(
    ("overlay", "url"), [("dev", "http://anvil:8545"), ("production", "https://")]
)
def test_the_chain_endpoint_is_configuration(overlay: str, url: str) -> None:
    manifests = fleet(overlay)
    chain = named(manifests, "ConfigMap", "issuance-chain")["data"]
    assert chain["FLEET_CHAIN_RPC_URL"].startswith(url)
    for _workload, template in pod_templates(manifests):
        if template["metadata"]["labels"].get("finfleet.io/service") in {
            BASES[short] for short in chain_clients()
        }:
            sources = main_container(template)["envFrom"]
            assert {"configMapRef": {"name": "issuance-chain"}} in sources


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_monitors_scrape_every_metrics_port(overlay: str) -> None:
    manifests = build(f"overlays/{overlay}")
    monitors = of_kind(manifests, "ServiceMonitor")
    scraped = 0
    for service in of_kind(manifests, "Service"):
        labels = service["metadata"]["labels"]
        for port in service["spec"]["ports"]:
            if "finfleet.io/service" not in labels:
                continue
            assert any(
                monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
                and any(e["port"] == port["name"] for e in monitor["spec"]["endpoints"])
                for monitor in monitors
            ), f"{service['metadata']['name']}:{port['name']} is not scraped"
            scraped += 1
    assert scraped == 3 * len(SERVICES)


def test_grafana_dashboards_are_generated_from_the_ops_files() -> None:
    dashboards = ROOT / "ops" / "grafana" / "dashboards"
    config = named(build("overlays/production"), "ConfigMap", "finfleet-grafana-dashboards")
    assert config["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert config["data"] == {path.name: path.read_text() for path in dashboards.glob("*.json")}
    assert not list((ROOT / "deploy").rglob("*.json")), "dashboards are not copied"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_is_exposed(overlay: str) -> None:
    manifests = build(f"overlays/{overlay}")
    backends = {
        path["backend"]["service"]["name"]
        for ingress in of_kind(manifests, "Ingress")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"portfolio"}
    for service in of_kind(manifests, "Service"):
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_everything_lives_in_the_overlays_namespace(overlay: str) -> None:
    manifests = fleet(overlay)
    namespaces = of_kind(manifests, "Namespace")
    assert [n["metadata"]["name"] for n in namespaces] == [NAMESPACES[overlay]]
    for manifest in manifests:
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"]["namespace"] == NAMESPACES[overlay], manifest["kind"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_run_the_fleets_images(overlay: str) -> None:
    images = {
        m["metadata"]["name"]: main_container(m["spec"]["template"])["image"]
        for m in of_kind(build(f"overlays/{overlay}"), "Deployment")
    }
    jobs = of_kind(build(f"overlays/{overlay}/migrations"), "Job")
    assert len(jobs) >= len(SERVICES)
    for job in jobs:
        service = job["spec"]["template"]["metadata"]["labels"]["finfleet.io/service"]
        assert main_container(job["spec"]["template"])["image"] == images[service]
        assert job["metadata"]["namespace"] == NAMESPACES[overlay]
