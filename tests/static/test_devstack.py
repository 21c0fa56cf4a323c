"""The pure parts of the dev stack: the generated .env, Procfile.dev, and .env.example."""

import base64
import itertools
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from scripts import devstack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"
PROCFILE = ROOT / "Procfile.dev"
CONTRACT = ROOT / "docs" / "runtime-contract.md"
SERVICE_ROW = re.compile(
    r"^\| (?P<package>\w+_service) \| (?P<short>\w+)[^|]*\| (?P<compose>[\w-]+) \| "
    r"(?P<port>\d+) \| (?P<prefix>\w+_) \| (?P<database>\w+) \| (?P<redis_db>\d+) \|$",
    re.MULTILINE,
)


def contract_services() -> list[dict[str, str]]:
    """The rows of the contract's service table."""
    rows = [match.groupdict() for match in SERVICE_ROW.finditer(CONTRACT.read_text())]
    assert len(rows) == 6
    return rows


def contract_variables() -> set[str]:
    """Every variable of the contract's environment tables, ``P_`` expanded per service."""
    section = CONTRACT.read_text().split("## Environment variables", 1)[1]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    names = {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", cell)}
    assert {"FLEET_ENV", "P_DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"} <= names
    prefixes = [row["prefix"] for row in contract_services()]
    expanded = {prefix + name[2:] for name in names if name.startswith("P_") for prefix in prefixes}
    return {name for name in names if not name.startswith("P_")} | expanded


def b64url_decode(text: str) -> bytes:
    """Decode base64url without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def generated_env(tmp_path: Path) -> Path:
    """A .env freshly generated from the repository's .env.example."""
    target = tmp_path / ".env"
    assert devstack.ensure_env_file(EXAMPLE, target)
    return target


def procfile_processes() -> dict[str, str]:
    """Process name -> command line of Procfile.dev."""
    lines = [line for line in PROCFILE.read_text().splitlines() if line and line[0] != "#"]
    return dict(line.split(": ", 1) for line in lines)


def test_generated_env_has_no_placeholder_left(generated_env: Path) -> None:
    assert "change-me" not in generated_env.read_text()


def test_generated_env_keeps_every_example_variable(generated_env: Path) -> None:
    example = devstack.read_env_file(EXAMPLE)
    generated = devstack.read_env_file(generated_env)
    assert list(generated) == list(example)
    untouched = [name for name, value in example.items() if "change-me" not in value]
    assert {name: generated[name] for name in untouched} == {n: example[n] for n in untouched}


def test_generated_env_is_private_to_its_owner(generated_env: Path) -> None:
    assert generated_env.stat().st_mode & 0o077 == 0


def test_generated_signing_keys_match_the_published_public_keys(generated_env: Path) -> None:
    env = devstack.read_env_file(generated_env)
    published = dict(entry.split(":", 1) for entry in env["FLEET_JWT_PUBLIC_KEYS"].split(","))
    services = contract_services()
    assert list(published) == [row["short"] for row in services]
    for row in services:
        encoded_seed = env[f"{row['prefix']}JWT_PRIVATE_KEY"]
        assert "=" not in encoded_seed + published[row["short"]]
        seed = b64url_decode(encoded_seed)
        assert len(seed) == 32
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
        assert b64url_decode(published[row["short"]]) == public.public_bytes(
            Encoding.Raw, PublicFormat.Raw
        )
    assert len(set(published.values())) == len(services)


def test_generated_secrets_differ_from_one_another(generated_env: Path) -> None:
    env = devstack.read_env_file(generated_env)
    passwords = [value for name, value in env.items() if name.endswith("_PASSWORD")]
    assert len(passwords) == len(set(passwords)) >= 8


def test_existing_env_file_is_left_untouched(generated_env: Path) -> None:
    before = generated_env.read_text()
    assert not devstack.ensure_env_file(EXAMPLE, generated_env)
    assert generated_env.read_text() == before


def test_every_procfile_line_uses_distinct_ports() -> None:
    ports = [
        int(port)
        for command in procfile_processes().values()
        for port in re.findall(r"(?:--port |_METRICS_PORT=)(\d+)", command)
    ]
    assert len(ports) == 19  # 6 x (app, worker, bus) + the issuance chain node (anvil)
    assert len(ports) == len(set(ports))


def test_every_procfile_line_has_its_own_metrics_dir() -> None:
    commands = procfile_processes()
    dirs = [re.findall(r"PROMETHEUS_MULTIPROC_DIR=(\S+)", command) for command in commands.values()]
    assert all(len(found) == 1 for found in dirs)
    assert [found[0] for found in dirs] == [f".dev/metrics/{name}" for name in commands]


def test_procfile_runs_app_worker_and_bus_of_every_service_on_contract_ports() -> None:
    commands = procfile_processes()
    for index, row in enumerate(contract_services()):
        short, package, prefix = row["short"], row["package"], row["prefix"]
        app = commands[f"{short}-app"]
        assert f"uvicorn --factory {package}.main:create_app" in app
        assert app.endswith(f"--port {row['port']}")
        worker = commands[f"{short}-worker"]
        assert f"{prefix}WORKER_METRICS_PORT={9200 + index} celery -A {package}.worker" in worker
        assert f"--schedule .dev/celerybeat-{short}" in worker
        bus = commands[f"{short}-bus"]
        assert f"{prefix}BUS_METRICS_PORT={9300 + index} python -m {package}.bus" in bus
    chain = commands["issuance-chain"]
    assert chain.endswith("python -m issuance_service.chain.devnode --port 8545")
    assert len(commands) == 19


def test_env_example_documents_every_contract_variable() -> None:
    documented = devstack.read_env_file(EXAMPLE)
    assert contract_variables() - set(documented) == set()


def test_every_env_example_variable_has_a_comment_line() -> None:
    lines = EXAMPLE.read_text().splitlines()
    for previous, line in itertools.pairwise(lines):
        if line and not line.startswith("#"):
            assert previous.startswith("# "), f"{line} has no comment above it"


def test_env_example_dev_defaults_follow_the_contract() -> None:
    env = devstack.read_env_file(EXAMPLE)
    assert env["FLEET_ENV"] == "development"
    assert env["FLEET_BUS_REDIS_URL"] == "redis://127.0.0.1:6379/1"
    for row in contract_services():
        prefix, database = row["prefix"], row["database"]
        assert env[f"{prefix}DATABASE_URL"] == (
            f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
        )
        assert env[f"{prefix}REDIS_URL"] == f"redis://127.0.0.1:6379/{row['redis_db']}"
        assert env[f"FLEET_{prefix}URL"] == f"http://127.0.0.1:{row['port']}"


def test_devstack_service_table_matches_the_contract() -> None:
    table = [
        (s.package, s.short, s.port, s.prefix, s.database_key, s.redis_key)
        for s in devstack.SERVICES
    ]
    expected = [
        (
            row["package"],
            row["short"],
            int(row["port"]),
            row["prefix"],
            f"{row['prefix']}DATABASE_URL",
            f"{row['prefix']}REDIS_URL",
        )
        for row in contract_services()
    ]
    assert table == expected


def test_private_server_urls_keep_driver_database_and_redis_db() -> None:
    database = "postgresql+asyncpg://app:secret@db.internal:5432/finfleet_ledger"
    assert devstack.point_at_private_server(database, 5433, "postgres") == (
        "postgresql+asyncpg://postgres@127.0.0.1:5433/finfleet_ledger"
    )
    assert devstack.point_at_private_server("redis://:pw@cache:6379/5", 6380) == (
        "redis://127.0.0.1:6380/5"
    )
    assert devstack.libpq_url(database) == database.replace("+asyncpg", "")


def test_env_update_rewrites_values_in_place_and_keeps_comments(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("# the ledger\nLEDGER_REDIS_URL=redis://x:1/5\n# end\nOTHER=1\n")
    devstack.update_env_file(env_file, {"LEDGER_REDIS_URL": "redis://127.0.0.1:6380/5"})
    assert env_file.read_text() == (
        "# the ledger\nLEDGER_REDIS_URL=redis://127.0.0.1:6380/5\n# end\nOTHER=1\n"
    )


def test_chain_tools_are_left_alone_when_anvil_is_installed(tmp_path, monkeypatch):
    anvil = tmp_path / "issuance_service" / "chain" / "node_modules" / ".bin" / "anvil"
    anvil.parent.mkdir(parents=True)
    anvil.touch()
    monkeypatch.setenv("PATH", "")  # npm would be needed otherwise: it is not
    stack = devstack.Stack(root=tmp_path, env_file=tmp_path / ".env", example=EXAMPLE)

    devstack.install_chain_tools(stack)


def test_missing_chain_tools_without_npm_say_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    stack = devstack.Stack(root=tmp_path, env_file=tmp_path / ".env", example=EXAMPLE)

    with pytest.raises(devstack.DevstackError, match=r"install Node\.js"):
        devstack.install_chain_tools(stack)
