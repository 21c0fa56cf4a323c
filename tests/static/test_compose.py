"""Static checks of docker-compose.yml and of the ops/ files it mounts.

There is no Docker engine here: the compose-spec JSON schema checks the file's shape, and
these tests check what a schema cannot see: references between services, volumes and networks,
the runtime contract (docs/runtime-contract.md: commands, ports, variable names), what is
exposed to the host, secrets, and that Prometheus, pgAdmin, Redis Commander and Grafana are
wired to every part of the fleet.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
PROMETHEUS_CONFIG = ROOT / "ops" / "prometheus" / "prometheus.yml"
PGADMIN_SERVERS = ROOT / "ops" / "pgadmin" / "servers.json"
GRAFANA_DIR = ROOT / "ops" / "grafana"
GRAFANA_DASHBOARD = GRAFANA_DIR / "dashboards" / "fleet.json"
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class FleetService:
    """One row of the "Services" table of docs/runtime-contract.md."""

    name: str
    package: str
    port: int
    prefix: str


FLEET = (
    FleetService("portfolio", "portfolio_service", 8000, "PORTFOLIO_"),
    FleetService("equity", "equity_service", 8001, "EQUITY_"),
    FleetService("fixed-income", "fixed_income_service", 8002, "FIXED_INCOME_"),
    FleetService("ledger", "ledger_service", 8003, "LEDGER_"),
    FleetService("realestate", "realestate_service", 8004, "REALESTATE_"),
    FleetService("issuance", "issuance_service", 8005, "ISSUANCE_"),
)
FLEET_IDS = [fleet_service.name for fleet_service in FLEET]
GATEWAY = "portfolio"
ADMIN_UIS = frozenset({"pgadmin", "redis-commander", "prometheus", "grafana"})
SHARED_INFRASTRUCTURE = frozenset({"bus-redis", "anvil"})
WORKER_METRICS_PORT = 9100
BUS_METRICS_PORT = 9101

# Long-running processes of each service: suffix of the Compose service name -> kind.
PROCESS_SUFFIXES = {"": "app", "-worker": "worker", "-beat": "beat", "-bus": "bus"}

# The metric names the code exposes (fleetkit), with the series a histogram expands to.
FLEET_METRICS = frozenset(
    {
        "http_requests_total",
        "http_request_duration_seconds",
        "fleet_outbox_backlog",
        "fleet_events_consumed_total",
        "celery_tasks_total",
        "celery_queue_length",
        "fleet_downstream_requests_total",
        "fleet_circuit_breaker_state",
    }
)
HISTOGRAMS = frozenset({"http_request_duration_seconds"})
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# Series Prometheus itself writes for every scrape target.
PROMETHEUS_SYNTHETIC_SERIES = frozenset({"up"})

SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|TOKEN")
# `${NAME}` or `${NAME:?message}` / `${NAME?message}`; a `:-default` would be a literal secret.
REQUIRED_INTERPOLATION = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?\?[^}]*)?\}$")
INTERPOLATION = re.compile(r"\$\{[^}]*\}")
URL_PASSWORD = re.compile(r"://[^/:@\s]+:(?P<password>[^@\s]+)@")
DATABASE_URL = re.compile(
    r"^postgresql\+asyncpg://(?P<user>[^:/@]+):(?P<password>\$\{[^}]+\})"
    r"@(?P<host>[^:/@]+):5432/(?P<database>\w+)$"
)


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = _load_yaml(COMPOSE_FILE)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services = compose["services"]
    assert isinstance(services, dict)
    return services


def _environment(service: dict[str, Any]) -> dict[str, str | None]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.partition("=") for item in environment)
        return {name: (value if sep else None) for name, sep, value in pairs}
    return {name: None if value is None else str(value) for name, value in environment.items()}


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Dependency name -> condition, for both the list and the mapping syntax."""
    depends_on = service.get("depends_on") or {}
    if isinstance(depends_on, list):
        return dict.fromkeys(depends_on, "service_started")
    return {
        name: (spec or {}).get("condition", "service_started") for name, spec in depends_on.items()
    }


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command or []]


def _networks(service: dict[str, Any]) -> set[str]:
    networks = service.get("networks")
    if networks is None:
        return {"default"}
    return set(networks)


@dataclass(frozen=True)
class Mount:
    kind: str
    source: str | None
    target: str


def _mounts(service: dict[str, Any]) -> Iterator[Mount]:
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            yield Mount(volume.get("type", "volume"), volume.get("source"), volume["target"])
            continue
        parts = volume.split(":")
        if len(parts) == 1:
            yield Mount("volume", None, parts[0])
            continue
        kind = "bind" if parts[0].startswith((".", "/", "~")) else "volume"
        yield Mount(kind, parts[0], parts[1])


@dataclass(frozen=True)
class PublishedPort:
    host_ip: str | None
    container_port: str


def _published_ports(service: dict[str, Any]) -> list[PublishedPort]:
    published = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            published.append(PublishedPort(port.get("host_ip"), str(port["target"])))
            continue
        parts = INTERPOLATION.sub("X", str(port)).split(":")
        host_ip = parts[0] if len(parts) == 3 else None
        published.append(PublishedPort(host_ip, parts[-1].split("/")[0]))
    return published


def _processes() -> Iterator[tuple[FleetService, str, str]]:
    """(service, Compose name, kind) of every long-running process of the fleet."""
    for fleet_service in FLEET:
        for suffix, kind in PROCESS_SUFFIXES.items():
            yield fleet_service, f"{fleet_service.name}{suffix}", kind


def _containers_of(fleet_service: FleetService) -> list[str]:
    """Every container running the service's own image: its processes and the migrate job."""
    names = [f"{fleet_service.name}{suffix}" for suffix in PROCESS_SUFFIXES]
    return [*names, f"{fleet_service.name}-migrate"]


def _is_one_shot(name: str) -> bool:
    return name.endswith(("-migrate", "-deploy"))


def test_compose_file_matches_the_compose_spec_schema() -> None:
    executable = VENV_BIN / "check-jsonschema"
    assert executable.exists(), f"{executable} missing: run `uv sync` (dev dependencies)"
    result = subprocess.run(
        [str(executable), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("fleet_service", FLEET, ids=FLEET_IDS)
def test_every_service_has_its_database_redis_migration_and_processes(
    services: dict[str, dict[str, Any]], fleet_service: FleetService
) -> None:
    expected = {
        f"{fleet_service.name}-db",
        f"{fleet_service.name}-redis",
        *_containers_of(fleet_service),
    }
    assert expected <= services.keys(), sorted(expected - services.keys())


def test_fleet_has_its_event_bus_chain_node_and_admin_uis(
    services: dict[str, dict[str, Any]],
) -> None:
    expected = SHARED_INFRASTRUCTURE | ADMIN_UIS
    assert expected <= services.keys(), sorted(expected - services.keys())


def test_every_dependency_names_a_defined_service(services: dict[str, dict[str, Any]]) -> None:
    dangling = {
        f"{name} -> {target}"
        for name, service in services.items()
        for target in _depends_on(service)
        if target not in services
    }
    assert not dangling


def test_every_named_volume_is_declared(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    declared = set(compose.get("volumes") or {})
    used = {
        f"{name}: {mount.source}"
        for name, service in services.items()
        for mount in _mounts(service)
        if mount.kind == "volume" and mount.source is not None and mount.source not in declared
    }
    assert not used, "undeclared volumes"


def test_every_data_store_keeps_its_data_in_a_named_volume(
    services: dict[str, dict[str, Any]],
) -> None:
    data_dirs = {"-db": "/var/lib/postgresql/data", "-redis": "/data"}
    missing = []
    for fleet_service in FLEET:
        for suffix, data_dir in data_dirs.items():
            name = f"{fleet_service.name}{suffix}"
            named = {m.target for m in _mounts(services[name]) if m.kind == "volume" and m.source}
            if data_dir not in named:
                missing.append(name)
    for name, data_dir in {
        "bus-redis": "/data",
        "prometheus": "/prometheus",
        "grafana": "/var/lib/grafana",
        "pgadmin": "/var/lib/pgadmin",
    }.items():
        named = {m.target for m in _mounts(services[name]) if m.kind == "volume" and m.source}
        if data_dir not in named:
            missing.append(name)
    assert not missing


def test_every_bind_mounted_file_exists_in_the_repository(
    services: dict[str, dict[str, Any]],
) -> None:
    missing = {
        f"{name}: {mount.source}"
        for name, service in services.items()
        for mount in _mounts(service)
        if mount.kind == "bind" and mount.source and not (ROOT / mount.source).exists()
    }
    assert not missing


def test_every_network_used_is_declared(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    declared = set(compose.get("networks") or {})
    undeclared = {
        f"{name}: {network}"
        for name, service in services.items()
        for network in _networks(service)
        if network not in declared
    }
    assert not undeclared


def test_every_container_is_on_the_internal_network_which_has_no_way_out(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    assert compose["networks"]["internal"].get("internal") is True
    outside = sorted(
        name for name, service in services.items() if "internal" not in _networks(service)
    )
    assert not outside


def test_only_the_gateway_and_admin_uis_join_the_edge_network(
    services: dict[str, dict[str, Any]],
) -> None:
    on_edge = {name for name, service in services.items() if "edge" in _networks(service)}
    assert on_edge == {GATEWAY} | ADMIN_UIS


def test_only_the_gateway_and_admin_uis_publish_ports(services: dict[str, dict[str, Any]]) -> None:
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {GATEWAY} | ADMIN_UIS
    gateway_port = next(fs.port for fs in FLEET if fs.name == GATEWAY)
    assert [p.container_port for p in _published_ports(services[GATEWAY])] == [str(gateway_port)]


def test_admin_uis_are_published_on_the_loopback_interface_only(
    services: dict[str, dict[str, Any]],
) -> None:
    exposed = {
        f"{name}: {port}"
        for name in ADMIN_UIS
        for port in _published_ports(services[name])
        if port.host_ip != "127.0.0.1"
    }
    assert not exposed


def test_every_long_running_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    unchecked = sorted(
        name
        for name, service in services.items()
        if not _is_one_shot(name)
        and (
            not service.get("healthcheck", {}).get("test")
            or service["healthcheck"].get("disable")
            or service["healthcheck"]["test"] == ["NONE"]
        )
    )
    assert not unchecked


@pytest.mark.parametrize("fleet_service", FLEET, ids=FLEET_IDS)
def test_migration_job_runs_once_after_its_database_is_healthy(
    services: dict[str, dict[str, Any]], fleet_service: FleetService
) -> None:
    migrate = services[f"{fleet_service.name}-migrate"]
    assert _command(migrate) == [
        "alembic",
        "-c",
        f"{fleet_service.package}/alembic.ini",
        "upgrade",
        "head",
    ]
    assert migrate.get("restart", "no") == "no"
    assert _depends_on(migrate).get(f"{fleet_service.name}-db") == "service_healthy"


@pytest.mark.parametrize("fleet_service", FLEET, ids=FLEET_IDS)
def test_every_app_waits_for_its_migration(
    services: dict[str, dict[str, Any]], fleet_service: FleetService
) -> None:
    for suffix in PROCESS_SUFFIXES:
        depends_on = _depends_on(services[f"{fleet_service.name}{suffix}"])
        assert depends_on.get(f"{fleet_service.name}-migrate") == "service_completed_successfully"


@pytest.mark.parametrize("fleet_service", FLEET, ids=FLEET_IDS)
def test_every_process_waits_for_its_own_database_and_redis_to_be_healthy(
    services: dict[str, dict[str, Any]], fleet_service: FleetService
) -> None:
    for suffix in PROCESS_SUFFIXES:
        depends_on = _depends_on(services[f"{fleet_service.name}{suffix}"])
        for store in ("-db", "-redis"):
            assert depends_on.get(f"{fleet_service.name}{store}") == "service_healthy", suffix
        assert depends_on.get("bus-redis") == "service_healthy", suffix


def test_issuance_processes_wait_for_the_chain_node(services: dict[str, dict[str, Any]]) -> None:
    for suffix in PROCESS_SUFFIXES:
        assert _depends_on(services[f"issuance{suffix}"]).get("anvil") == "service_healthy"


@pytest.mark.parametrize("fleet_service", FLEET, ids=FLEET_IDS)
def test_processes_run_the_commands_of_the_runtime_contract(
    services: dict[str, dict[str, Any]], fleet_service: FleetService
) -> None:
    package, port = fleet_service.package, fleet_service.port
    expected = {
        "": [
            *("uvicorn", "--factory", f"{package}.main:create_app"),
            *("--host", "0.0.0.0", "--port", str(port)),
        ],
        "-worker": ["celery", "-A", f"{package}.worker", "worker", "--loglevel", "INFO"],
        "-beat": [
            *("celery", "-A", f"{package}.worker", "beat", "--loglevel", "INFO"),
            *("--schedule", "/tmp/celerybeat-schedule"),
        ],
        "-bus": ["python", "-m", f"{package}.bus"],
    }
    for suffix, command in expected.items():
        assert _command(services[f"{fleet_service.name}{suffix}"]) == command, suffix


@pytest.mark.parametrize("fleet_service", FLEET, ids=FLEET_IDS)
def test_healthchecks_probe_each_process_on_its_own_port(
    services: dict[str, dict[str, Any]], fleet_service: FleetService
) -> None:
    probe = ["CMD", "python", "-m", "fleetkit.healthcheck"]
    expected = {
        "": [*probe, f"http://127.0.0.1:{fleet_service.port}/health"],
        "-worker": [*probe, f"http://127.0.0.1:{WORKER_METRICS_PORT}/metrics"],
        "-bus": [*probe, f"http://127.0.0.1:{BUS_METRICS_PORT}/metrics"],
    }
    for suffix, test in expected.items():
        assert services[f"{fleet_service.name}{suffix}"]["healthcheck"]["test"] == test, suffix


@pytest.mark.parametrize("fleet_service", FLEET, ids=FLEET_IDS)
def test_every_container_of_a_service_gets_the_contract_environment(
    services: dict[str, dict[str, Any]], fleet_service: FleetService
) -> None:
    prefix = fleet_service.prefix
    database = _environment(services[f"{fleet_service.name}-db"])
    for name in _containers_of(fleet_service):
        service = services[name]
        environment = _environment(service)
        url = DATABASE_URL.match(environment.get(f"{prefix}DATABASE_URL") or "")
        assert url, f"{name}: {prefix}DATABASE_URL"
        assert url["host"] == f"{fleet_service.name}-db"
        assert url["user"] == database["POSTGRES_USER"]
        assert url["database"] == database["POSTGRES_DB"]
        assert url["password"] == database["POSTGRES_PASSWORD"]
        assert environment.get(f"{prefix}REDIS_URL") == f"redis://{fleet_service.name}-redis:6379/0"
        assert environment.get(f"{prefix}JWT_PRIVATE_KEY"), name
        assert environment.get(f"{prefix}WORKER_METRICS_PORT") == str(WORKER_METRICS_PORT)
        assert environment.get(f"{prefix}BUS_METRICS_PORT") == str(BUS_METRICS_PORT)
        assert environment.get("FLEET_BUS_REDIS_URL") == "redis://bus-redis:6379/0"
        assert environment.get("FLEET_JWT_PUBLIC_KEYS"), name
        assert environment.get("FLEET_ENV"), name
        assert environment.get("FLEET_CHAIN_RPC_URL") == "http://anvil:8545"
        for target in FLEET:
            variable = f"FLEET_{target.prefix}URL"
            assert environment.get(variable) == f"http://{target.name}:{target.port}", variable
        metrics_dir = environment.get("PROMETHEUS_MULTIPROC_DIR")
        assert metrics_dir, name
        assert metrics_dir in (service.get("tmpfs") or []), f"{name}: metrics dir is not a tmpfs"


def test_no_secret_is_written_in_literally(services: dict[str, dict[str, Any]]) -> None:
    literal = []
    for name, service in services.items():
        for variable, value in _environment(service).items():
            if value is None:
                continue
            if SECRET_NAME.search(variable) and not REQUIRED_INTERPOLATION.match(value):
                literal.append(f"{name}: {variable}")
            for match in URL_PASSWORD.finditer(value):
                if not REQUIRED_INTERPOLATION.match(match["password"]):
                    literal.append(f"{name}: password in {variable}")
    assert not literal


def test_every_image_is_pinned_to_a_version(services: dict[str, dict[str, Any]]) -> None:
    unpinned = []
    for name, service in services.items():
        image = service.get("image")
        if image is None:
            continue
        reference = image.rsplit("/", 1)[-1]
        tag = reference.partition(":")[2]
        if "@sha256:" not in image and (not tag or tag == "latest"):
            unpinned.append(f"{name}: {image}")
    assert not unpinned


def test_every_build_uses_an_existing_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    missing = []
    for name, service in services.items():
        build = service.get("build")
        if build is None:
            continue
        if isinstance(build, str):
            build = {"context": build}
        context = ROOT / build.get("context", ".")
        if not (context / build.get("dockerfile", "Dockerfile")).is_file():
            missing.append(name)
    assert not missing


@pytest.mark.parametrize("fleet_service", FLEET, ids=FLEET_IDS)
def test_every_container_of_a_service_runs_its_own_image(
    services: dict[str, dict[str, Any]], fleet_service: FleetService
) -> None:
    images = set()
    for name in _containers_of(fleet_service):
        build = services[name]["build"]
        assert build["context"] == "."
        assert build["dockerfile"] == f"{fleet_service.package}/Dockerfile"
        images.add(services[name]["image"])
    assert len(images) == 1


def _scrape_targets() -> set[str]:
    config = _load_yaml(PROMETHEUS_CONFIG)
    return {
        target
        for job in config["scrape_configs"]
        if job.get("metrics_path", "/metrics") == "/metrics"
        for static in job.get("static_configs", [])
        for target in static.get("targets", [])
    }


def test_prometheus_scrapes_every_app_worker_and_bus() -> None:
    targets = _scrape_targets()
    expected = {
        target
        for fleet_service in FLEET
        for target in (
            f"{fleet_service.name}:{fleet_service.port}",
            f"{fleet_service.name}-worker:{WORKER_METRICS_PORT}",
            f"{fleet_service.name}-bus:{BUS_METRICS_PORT}",
        )
    }
    assert expected <= targets, sorted(expected - targets)


def test_prometheus_scrapes_only_defined_services(services: dict[str, dict[str, Any]]) -> None:
    hosts = {target.rsplit(":", 1)[0] for target in _scrape_targets()}
    assert hosts - {"localhost"} <= services.keys()


def test_prometheus_mounts_the_repository_config(services: dict[str, dict[str, Any]]) -> None:
    sources = {m.source: m.target for m in _mounts(services["prometheus"]) if m.kind == "bind"}
    assert sources.get("./ops/prometheus/prometheus.yml") == "/etc/prometheus/prometheus.yml"


def test_pgadmin_lists_all_six_databases(services: dict[str, dict[str, Any]]) -> None:
    servers = json.loads(PGADMIN_SERVERS.read_text(encoding="utf-8"))["Servers"].values()
    registered = {(s["Host"], s["Port"], s["MaintenanceDB"], s["Username"]) for s in servers}
    expected = set()
    for fleet_service in FLEET:
        database = _environment(services[f"{fleet_service.name}-db"])
        expected.add(
            (
                f"{fleet_service.name}-db",
                5432,
                database["POSTGRES_DB"],
                database["POSTGRES_USER"],
            )
        )
    assert registered == expected
    assert not any("Password" in server for server in servers)
    mounts = {m.source: m.target for m in _mounts(services["pgadmin"]) if m.kind == "bind"}
    assert mounts.get("./ops/pgadmin/servers.json") == "/pgadmin4/servers.json"


def test_redis_commander_lists_all_seven_redises(services: dict[str, dict[str, Any]]) -> None:
    hosts = _environment(services["redis-commander"])["REDIS_HOSTS"] or ""
    listed = {entry.split(":")[1] for entry in hosts.split(",")}
    expected = {f"{fleet_service.name}-redis" for fleet_service in FLEET} | {"bus-redis"}
    assert listed == expected


def _walk_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _walk_panels(panel.get("panels", []))


def _dashboard() -> dict[str, Any]:
    dashboard = json.loads(GRAFANA_DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(dashboard, dict)
    return dashboard


def _dashboard_queries(dashboard: dict[str, Any]) -> list[str]:
    return [
        target["expr"]
        for panel in _walk_panels(dashboard["panels"])
        for target in panel.get("targets", [])
        if "expr" in target
    ]


LABEL_VALUES_METRIC = re.compile(r"label_values\(\s*([A-Za-z_:][\w:]*)")
_PROMQL_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_PROMQL_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_PROMQL_NAME = re.compile(r"(?<![\w.$])[A-Za-z_:][A-Za-z0-9_:]*")
_PROMQL_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or"}
    | {"unless", "offset", "atan2"}
)


def promql_metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (functions, labels and keywords left out)."""
    expr = _PROMQL_STRING.sub('""', expr)
    expr = re.sub(r"\{[^}]*\}", " ", expr)
    expr = re.sub(r"\[[^\]]*\]", " ", expr)
    expr = _PROMQL_GROUPING.sub(" ", expr)
    names = set()
    for match in _PROMQL_NAME.finditer(expr):
        if expr[match.end() :].lstrip().startswith("("):
            continue
        if match.group() not in _PROMQL_KEYWORDS:
            names.add(match.group())
    return names


def test_promql_metric_name_extraction_ignores_functions_labels_and_ranges() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (service, le) (rate(x_bucket{service=~"$s"}'
        "[$__rate_interval]))) / on (service) group_left y offset 5m + 1e3"
    )
    assert promql_metric_names(expr) == {"x_bucket", "y"}


def _allowed_series() -> frozenset[str]:
    expanded = {f"{histogram}{suffix}" for histogram in HISTOGRAMS for suffix in HISTOGRAM_SUFFIXES}
    return (FLEET_METRICS - HISTOGRAMS) | expanded | PROMETHEUS_SYNTHETIC_SERIES


def test_grafana_dashboard_queries_only_metrics_the_fleet_exposes() -> None:
    dashboard = _dashboard()
    queries = _dashboard_queries(dashboard)
    assert queries
    used = set().union(*(promql_metric_names(query) for query in queries))
    for variable in dashboard.get("templating", {}).get("list", []):
        used.update(LABEL_VALUES_METRIC.findall(variable.get("definition", "")))
    assert used <= _allowed_series(), sorted(used - _allowed_series())


def test_grafana_dashboard_charts_every_fleet_metric() -> None:
    used = set().union(*(promql_metric_names(query) for query in _dashboard_queries(_dashboard())))
    families = {
        name.removesuffix(suffix)
        for name in used
        for suffix in ("", *HISTOGRAM_SUFFIXES)
        if name.removesuffix(suffix) in FLEET_METRICS
    }
    assert families == FLEET_METRICS, sorted(FLEET_METRICS - families)


def test_grafana_dashboard_shows_latency_quantiles() -> None:
    queries = " ".join(_dashboard_queries(_dashboard()))
    for quantile in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({quantile}," in queries


def test_grafana_dashboards_use_the_provisioned_prometheus(
    services: dict[str, dict[str, Any]],
) -> None:
    datasources = _load_yaml(GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml")
    (prometheus,) = datasources["datasources"]
    assert prometheus["url"] == "http://prometheus:9090"
    sources = [
        source
        for panel in _walk_panels(_dashboard()["panels"])
        for source in (panel, *panel.get("targets", []))
    ]
    used_uids = {
        source["datasource"]["uid"]
        for source in sources
        if isinstance(source.get("datasource"), dict)
    }
    assert used_uids == {prometheus["uid"]}

    providers = _load_yaml(GRAFANA_DIR / "provisioning" / "dashboards" / "finfleet.yml")
    paths = {provider["options"]["path"] for provider in providers["providers"]}
    mounts = {m.source: m.target for m in _mounts(services["grafana"]) if m.kind == "bind"}
    assert mounts.get("./ops/grafana/provisioning") == "/etc/grafana/provisioning"
    assert paths == {mounts.get("./ops/grafana/dashboards")}


def test_every_variable_compose_requires_is_documented_in_env_example() -> None:
    lines = [
        line for line in COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", "\n".join(lines)))
    documented = set(
        re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE)
    )
    assert required, "the compose file requires no variable at all: the check would be empty"
    assert required - documented == set()
