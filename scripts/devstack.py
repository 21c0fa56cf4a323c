"""The engine of `make dev`: the whole fleet as local processes, without Docker.

Subcommands (``python -m scripts.devstack <command>``):

- ``env``: create ``.env`` from ``.env.example`` with fresh secrets and signing keys (if missing);
- ``prepare``: ``env``, then make Postgres and Redis answer (private servers under ``.dev/`` when
  the ones named in ``.env`` do not), create the databases, apply migrations, load seed data;
- ``up``: ``prepare``, then run ``Procfile.dev`` under honcho (Ctrl-C stops every process);
- ``migrate``, ``status``, ``health``, ``stop``, ``dsn``, ``backup``, ``restore``: helpers that
  the Makefile uses in dev mode.

Names, ports, databases and Redis db numbers follow ``docs/runtime-contract.md``.
"""

from __future__ import annotations

import argparse
import base64
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
import redis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from psycopg import sql
from psycopg.rows import TupleRow

from fleetkit.row_security import create_tenant_role

PLACEHOLDER = "change-me"
PRIVATE_HOST = "127.0.0.1"
PRIVATE_POSTGRES_PORT = 5433
PRIVATE_REDIS_PORT = 6380
PRIVATE_POSTGRES_USER = "postgres"
SERVER_START_TIMEOUT = 60.0
REPO_ROOT = Path(__file__).resolve().parent.parent


class DevstackError(Exception):
    """A step of the dev stack failed; the message tells the developer what to do."""


@dataclass(frozen=True)
class Service:
    """One service of the fleet, as fixed by the runtime contract."""

    short: str
    index: int

    @property
    def package(self) -> str:
        """Python package, e.g. ``ledger_service``."""
        return f"{self.short}_service"

    @property
    def prefix(self) -> str:
        """Environment variable prefix, e.g. ``LEDGER_``."""
        return f"{self.short.upper()}_"

    @property
    def port(self) -> int:
        """HTTP port of the app."""
        return 8000 + self.index

    @property
    def worker_metrics_port(self) -> int:
        """Metrics port of the Celery worker in dev (Procfile.dev)."""
        return 9200 + self.index

    @property
    def bus_metrics_port(self) -> int:
        """Metrics port of the bus process in dev (Procfile.dev)."""
        return 9300 + self.index

    @property
    def database_key(self) -> str:
        """Name of the variable holding this service's database URL."""
        return f"{self.prefix}DATABASE_URL"

    @property
    def redis_key(self) -> str:
        """Name of the variable holding this service's Redis URL."""
        return f"{self.prefix}REDIS_URL"


SERVICES = tuple(
    Service(short, index)
    for index, short in enumerate(
        ("portfolio", "equity", "fixed_income", "ledger", "realestate", "issuance")
    )
)
BUS_REDIS_KEY = "FLEET_BUS_REDIS_URL"
PUBLIC_KEYS_KEY = "FLEET_JWT_PUBLIC_KEYS"


@dataclass(frozen=True)
class Stack:
    """Where the dev stack's files live (configurable so tests can use temporary dirs)."""

    root: Path
    env_file: Path
    example: Path

    @property
    def dev_dir(self) -> Path:
        """Git-ignored state: private servers, metrics dirs, beat schedules."""
        return self.root / ".dev"

    @property
    def postgres_dir(self) -> Path:
        """Private Postgres cluster (data directory and log)."""
        return self.dev_dir / "postgres"

    @property
    def redis_dir(self) -> Path:
        """Private Redis server (append-only file, pid file, log)."""
        return self.dev_dir / "redis"

    @property
    def procfile(self) -> Path:
        """The honcho Procfile of the dev fleet."""
        return self.root / "Procfile.dev"


def say(message: str) -> None:
    """Print a progress line (on stderr, so stdout stays usable by `dsn`)."""
    print(f"devstack: {message}", file=sys.stderr, flush=True)


# --- .env ------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    """Base64url without padding, the contract's encoding for keys."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signing_seed(key: Ed25519PrivateKey) -> str:
    """The 32-byte private seed of ``key``, base64url without padding."""
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return b64url(raw)


def verifying_key(key: Ed25519PrivateKey) -> str:
    """The raw 32-byte public key of ``key``, base64url without padding."""
    return b64url(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def fresh_secret_value(name: str, value: str, keys: Mapping[str, Ed25519PrivateKey]) -> str:
    """Replace the placeholder in one variable with a freshly generated value."""
    for service in SERVICES:
        if name == f"{service.prefix}JWT_PRIVATE_KEY":
            return signing_seed(keys[service.short])
    if name == PUBLIC_KEYS_KEY:
        return ",".join(f"{s.short}:{verifying_key(keys[s.short])}" for s in SERVICES)
    if name.endswith("_EMAIL"):
        return value.replace(PLACEHOLDER, "admin")
    return value.replace(PLACEHOLDER, secrets.token_hex(24))


def fill_placeholders(example_text: str) -> str:
    """The text of a new .env: ``example_text`` with every placeholder replaced."""
    keys = {service.short: Ed25519PrivateKey.generate() for service in SERVICES}
    lines = []
    for line in example_text.splitlines():
        name, _, value = line.partition("=")
        if PLACEHOLDER in value and not line.lstrip().startswith("#"):
            line = f"{name}={fresh_secret_value(name.strip(), value, keys)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.chmod(0o600)
    partial.replace(path)


def ensure_env_file(example: Path, target: Path) -> bool:
    """Create ``target`` from ``example`` with fresh secrets; False if it already exists."""
    if target.exists():
        return False
    if not example.exists():
        raise DevstackError(f"{example} is missing: cannot create {target}")
    write_private_file(target, fill_placeholders(example.read_text(encoding="utf-8")))
    return True


def parse_env_text(text: str) -> dict[str, str]:
    """Parse ``KEY=value`` lines (comments, blank lines, ``export`` and quotes allowed)."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def read_env_file(path: Path) -> dict[str, str]:
    """The variables of an env file."""
    return parse_env_text(path.read_text(encoding="utf-8"))


def update_env_file(path: Path, updates: Mapping[str, str]) -> None:
    """Rewrite the given variables in place, keeping comments and order."""
    pending = dict(updates)
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.partition("=")[0].strip().removeprefix("export ")
        if "=" in line and not line.lstrip().startswith("#") and name in pending:
            line = f"{name}={pending.pop(name)}"
        lines.append(line)
    lines.extend(f"{name}={value}" for name, value in pending.items())
    write_private_file(path, "\n".join(lines) + "\n")


def load_env(stack: Stack) -> dict[str, str]:
    """Create .env if needed, then read it, warning about placeholders left in it."""
    if ensure_env_file(stack.example, stack.env_file):
        say(f"created {stack.env_file} from {stack.example.name} with fresh secrets and keys")
    env = read_env_file(stack.env_file)
    leftovers = sorted(name for name, value in env.items() if PLACEHOLDER in value)
    if leftovers:
        say(f"warning: {stack.env_file.name} still has placeholders: {', '.join(leftovers)}")
    return env


def required(env: Mapping[str, str], name: str) -> str:
    """The value of ``name`` in .env, or a clear error."""
    value = env.get(name, "")
    if not value:
        raise DevstackError(f"{name} is not set in .env (see .env.example)")
    return value


# --- URLs ------------------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+asyncpg://``) as plain libpq URL for psql and pg_dump."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=parts.scheme.split("+")[0]))


def server_of(url: str) -> str:
    """``host:port`` of a URL, for messages."""
    return urlsplit(url).netloc.rpartition("@")[2]


def database_name(url: str) -> str:
    """The database named by a Postgres URL."""
    return unquote(urlsplit(url).path.lstrip("/"))


def point_at_private_server(url: str, port: int, user: str = "") -> str:
    """``url`` moved to a private server on 127.0.0.1:``port`` (same scheme, path and query)."""
    parts = urlsplit(url)
    credentials = f"{user}@" if user else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}{PRIVATE_HOST}:{port}"))


def postgres_connect(url: str, dbname: str = "postgres") -> psycopg.Connection[TupleRow]:
    """An autocommit connection to database ``dbname`` of the server named by ``url``."""
    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        dbname=dbname,
        connect_timeout=3,
        autocommit=True,
    )


def postgres_problem(url: str) -> str | None:
    """None when the Postgres server of ``url`` accepts us, else the reason it does not."""
    try:
        with postgres_connect(url) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None


def redis_problem(url: str) -> str | None:
    """None when the Redis server of ``url`` answers PING, else the reason it does not."""
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        return str(error) or type(error).__name__
    finally:
        client.close()
    return None


def port_is_listening(port: int, host: str = PRIVATE_HOST) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def wait_until(problem: Callable[[], str | None], what: str, timeout: float) -> None:
    """Poll ``problem`` until it reports none, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    reason = problem()
    while reason is not None:
        if time.monotonic() > deadline:
            raise DevstackError(f"{what} did not answer within {timeout:.0f}s: {reason}")
        time.sleep(0.5)
        reason = problem()


# --- commands --------------------------------------------------------------------------------


def run(
    command: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    quiet: bool = False,
) -> None:
    """Run a command; on failure raise with its output (captured when ``quiet``)."""
    args = [str(part) for part in command]
    result = subprocess.run(  # noqa: S603 - argument lists built here, never a shell
        args, env=dict(env) if env is not None else None, cwd=cwd, capture_output=quiet, text=True
    )
    if result.returncode != 0:
        detail = f"\n{result.stdout or ''}{result.stderr or ''}".rstrip() if quiet else ""
        raise DevstackError(f"`{' '.join(args)}` exited with {result.returncode}{detail}")


def system_tool(name: str) -> str | None:
    """Absolute path of a system program, looking in sbin directories too."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])
    return shutil.which(name, path=search)


def as_user(user: str, command: Sequence[str | Path]) -> list[str | Path]:
    """``command`` run as ``user`` (through runuser when we are root)."""
    if os.geteuid() != 0 or user == "root":
        return list(command)
    runuser = system_tool("runuser")
    if runuser is None:
        raise DevstackError("runuser (util-linux) is needed to run Postgres as a non-root user")
    return [runuser, "-u", user, "--", *command]


def process_environment(env: Mapping[str, str]) -> dict[str, str]:
    """Our environment plus .env's non-empty values (which win, as with honcho), venv first."""
    merged = {**os.environ, **{name: value for name, value in env.items() if value}}
    venv_bin = str(Path(sys.executable).parent)
    merged["PATH"] = os.pathsep.join([venv_bin, merged.get("PATH", "")])
    return merged


# --- Postgres --------------------------------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    """Directory holding initdb and pg_ctl (newest /usr/lib/postgresql/<ver>/bin first)."""

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl", path=str(Path(initdb).parent)):
        return Path(initdb).parent
    return None


def postgres_client(name: str) -> str:
    """Absolute path of a Postgres client program (psql, pg_dump, pg_restore)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is not None and (bin_dir / name).exists():
        return str(bin_dir / name)
    found = shutil.which(name)
    if found is None:
        raise DevstackError(
            f"{name} not found: install it with `apt-get install postgresql-client`"
        )
    return found


def cluster_user(data_dir: Path) -> str:
    """The OS user that runs the private cluster: its owner, else a non-root user when root."""
    if data_dir.exists():
        return pwd.getpwuid(data_dir.stat().st_uid).pw_name
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    for candidate in ("finfleet", "postgres"):
        try:
            pwd.getpwnam(candidate)
        except KeyError:
            continue
        return candidate
    useradd = system_tool("useradd")
    if useradd is None:
        raise DevstackError("cannot create the user finfleet: useradd not found")
    say("creating the system user finfleet to run the private Postgres (initdb refuses root)")
    run([useradd, "--system", "--no-create-home", "--shell", "/bin/false", "finfleet"])
    return "finfleet"


def initialise_cluster(stack: Stack, bin_dir: Path, user: str) -> None:
    """initdb a private cluster listening on 127.0.0.1 only, trusting local connections."""
    data_dir = stack.postgres_dir / "data"
    stack.postgres_dir.mkdir(parents=True, exist_ok=True)
    shutil.chown(stack.postgres_dir, user=user)
    say(f"initialising a private Postgres cluster in {data_dir} (run by {user})")
    initdb: list[str | Path] = [bin_dir / "initdb", "-D", data_dir, "-U", PRIVATE_POSTGRES_USER]
    options = ["--auth=trust", "--encoding=UTF8", "--no-locale"]
    run(as_user(user, [*initdb, *options]), cwd=stack.postgres_dir, quiet=True)
    settings = (
        f"\n# devstack\nport = {PRIVATE_POSTGRES_PORT}\nlisten_addresses = '{PRIVATE_HOST}'\n"
        "unix_socket_directories = ''\nmax_connections = 300\nsynchronous_commit = off\n"
    )
    with (data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(settings)


def start_private_postgres(stack: Stack, bin_dir: Path) -> None:
    """Start the private cluster unless it runs, initialising it the first time."""
    data_dir = stack.postgres_dir / "data"
    user = cluster_user(data_dir)
    if not (data_dir / "PG_VERSION").exists():
        initialise_cluster(stack, bin_dir, user)
    url = f"postgresql://{PRIVATE_POSTGRES_USER}@{PRIVATE_HOST}:{PRIVATE_POSTGRES_PORT}/postgres"
    if postgres_problem(url) is not None:
        say(f"starting the private Postgres on {PRIVATE_HOST}:{PRIVATE_POSTGRES_PORT}")
        log = stack.postgres_dir / "postgres.log"
        pg_ctl: list[str | Path] = [bin_dir / "pg_ctl", "-D", data_dir, "-l", log, "-w"]
        run(as_user(user, [*pg_ctl, "-t", "60", "start"]), cwd=stack.postgres_dir, quiet=True)
        wait_until(lambda: postgres_problem(url), "the private Postgres", SERVER_START_TIMEOUT)


def ensure_postgres(stack: Stack, env: Mapping[str, str], silent: Sequence[str]) -> dict[str, str]:
    """Point the database URLs whose server does not answer at the private cluster."""
    if not silent:
        return {}
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise DevstackError("PostgreSQL server binaries not found")
    start_private_postgres(stack, bin_dir)
    return {
        key: point_at_private_server(env[key], PRIVATE_POSTGRES_PORT, PRIVATE_POSTGRES_USER)
        for key in silent
    }


def stop_private_postgres(stack: Stack) -> None:
    """Stop the private cluster if it runs."""
    data_dir = stack.postgres_dir / "data"
    bin_dir = postgres_bin_dir()
    if not (data_dir / "postmaster.pid").exists() or bin_dir is None:
        say("the private Postgres is not running")
        return
    pg_ctl: list[str | Path] = [bin_dir / "pg_ctl", "-D", data_dir, "-m", "fast", "-w", "stop"]
    run(as_user(cluster_user(data_dir), pg_ctl), cwd=stack.postgres_dir, quiet=True)
    say("stopped the private Postgres")


def create_databases(env: Mapping[str, str]) -> None:
    """Create each service's database when it does not exist yet."""
    for service in SERVICES:
        url = required(env, service.database_key)
        name = database_name(url)
        with postgres_connect(url) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if exists is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                say(f"created database {name} on {server_of(url)}")


# --- Redis -----------------------------------------------------------------------------------


def redis_keys() -> list[str]:
    """Every Redis URL variable: the shared bus and one per service."""
    return [BUS_REDIS_KEY, *(service.redis_key for service in SERVICES)]


def private_redis_url() -> str:
    """URL of the private Redis server."""
    return f"redis://{PRIVATE_HOST}:{PRIVATE_REDIS_PORT}/0"


def start_private_redis(stack: Stack, server: str) -> None:
    """Start the private Redis server (append-only file under .dev/redis) unless it runs."""
    if redis_problem(private_redis_url()) is None:
        return
    stack.redis_dir.mkdir(parents=True, exist_ok=True)
    say(f"starting the private Redis on {PRIVATE_HOST}:{PRIVATE_REDIS_PORT}")
    directory = stack.redis_dir.resolve()
    options = {
        "port": str(PRIVATE_REDIS_PORT),
        "bind": PRIVATE_HOST,
        "dir": str(directory),
        "daemonize": "yes",
        "pidfile": str(directory / "redis.pid"),
        "logfile": str(directory / "redis.log"),
        "appendonly": "yes",
        "save": "",
    }
    run([server, *(part for name, value in options.items() for part in (f"--{name}", value))])
    wait_until(lambda: redis_problem(private_redis_url()), "the private Redis", 30.0)


def ensure_redis(stack: Stack, env: Mapping[str, str], silent: Sequence[str]) -> dict[str, str]:
    """Point the Redis URLs whose server does not answer at the private Redis."""
    if not silent:
        return {}
    server = shutil.which("redis-server")
    if server is None:
        raise DevstackError("redis-server not found")
    start_private_redis(stack, server)
    return {key: point_at_private_server(env[key], PRIVATE_REDIS_PORT) for key in silent}


def stop_private_redis(stack: Stack) -> None:
    """Stop the private Redis server if it runs."""
    running = redis_problem(private_redis_url()) is None
    if not running or not (stack.redis_dir / "redis.pid").exists():
        say("the private Redis is not running")
        return
    redis.Redis.from_url(private_redis_url()).shutdown()
    say("stopped the private Redis")


# --- infrastructure --------------------------------------------------------------------------


def silent_servers(
    env: Mapping[str, str], keys: Iterable[str], problem: Callable[[str], str | None]
) -> list[str]:
    """The variables among ``keys`` whose server does not answer (one probe per server)."""
    reasons: dict[str, str | None] = {}
    silent = []
    for key in keys:
        url = required(env, key)
        server = server_of(url)
        if server not in reasons:
            reasons[server] = problem(url)
            if reasons[server] is not None:
                say(f"{server} does not answer for {key}: {reasons[server]}")
        if reasons[server] is not None:
            silent.append(key)
    return silent


def require_server_binaries(need_postgres: bool, need_redis: bool) -> None:
    """Fail with the Debian packages to install when a needed server binary is missing."""
    missing = []
    if need_postgres and postgres_bin_dir() is None:
        missing.append("postgresql")
    if need_redis and shutil.which("redis-server") is None:
        missing.append("redis-server")
    if missing:
        raise DevstackError(
            "no reachable server and no binaries to start a private one; install them with:\n"
            f"    sudo apt-get install {' '.join(missing)}"
        )


def ensure_servers(stack: Stack, env: dict[str, str]) -> dict[str, str]:
    """Make every Postgres and Redis URL of .env answer, rewriting .env for private servers."""
    silent_databases = silent_servers(env, (s.database_key for s in SERVICES), postgres_problem)
    silent_redis = silent_servers(env, redis_keys(), redis_problem)
    require_server_binaries(bool(silent_databases), bool(silent_redis))
    moved = ensure_postgres(stack, env, silent_databases)
    moved.update(ensure_redis(stack, env, silent_redis))
    updates = {key: url for key, url in moved.items() if env[key] != url}
    if updates:
        update_env_file(stack.env_file, updates)
        for key, value in updates.items():
            say(f"{stack.env_file.name}: {key}={value}")
    return {**env, **updates}


# --- migrations, seed, processes -------------------------------------------------------------


def apply_migrations(stack: Stack, env: Mapping[str, str]) -> None:
    """``alembic -c <pkg>/alembic.ini upgrade head`` for every service that has one."""
    environment = process_environment(env)
    for service in SERVICES:
        ini = Path(service.package) / "alembic.ini"
        if not (stack.root / ini).exists():
            say(f"warning: {ini} is missing, skipping {service.short} migrations")
            continue
        say(f"migrating {service.short}")
        alembic: list[str | Path] = [sys.executable, "-m", "alembic", "-c", ini, "upgrade", "head"]
        run(alembic, env=environment, cwd=stack.root)


def run_seed(stack: Stack, env: Mapping[str, str]) -> None:
    """Load the seed data (``scripts/seed.py``) if the script exists."""
    if not (stack.root / "scripts" / "seed.py").exists():
        say("warning: scripts/seed.py is missing, skipping seed data")
        return
    say("loading seed data")
    run([sys.executable, "-m", "scripts.seed"], env=process_environment(env), cwd=stack.root)


def metrics_dirs(procfile_text: str) -> list[str]:
    """The PROMETHEUS_MULTIPROC_DIR of every Procfile line."""
    return re.findall(r"PROMETHEUS_MULTIPROC_DIR=(\S+)", procfile_text)


def procfile_ports(procfile_text: str) -> list[int]:
    """Every port a Procfile line listens on (``--port N`` and ``*_METRICS_PORT=N``)."""
    return [int(port) for port in re.findall(r"(?:--port |_METRICS_PORT=)(\d+)", procfile_text)]


def reset_metrics_dirs(stack: Stack, procfile_text: str) -> None:
    """Create each process's metrics directory, empty (stale files would skew counters)."""
    for relative in metrics_dirs(procfile_text):
        directory = stack.root / relative
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)


def require_free_ports(procfile_text: str) -> None:
    """Fail early when a port of the dev fleet is taken (is another `make dev` running?)."""
    busy = [port for port in procfile_ports(procfile_text) if port_is_listening(port)]
    if busy:
        ports = ", ".join(map(str, busy))
        raise DevstackError(f"ports already in use: {ports} (is another `make dev` running?)")


def print_urls() -> None:
    """Where to look once the fleet runs."""
    base = f"http://{PRIVATE_HOST}"
    print(f"\nFinFleet dev fleet: gateway {base}:{SERVICES[0].port}  (Ctrl-C stops everything)")
    for s in SERVICES:
        print(
            f"  {s.short:<13} docs {base}:{s.port}/docs  metrics {base}:{s.port}/metrics"
            f"  worker {base}:{s.worker_metrics_port}/metrics"
            f"  bus {base}:{s.bus_metrics_port}/metrics"
        )
    print(flush=True)


def start_processes(stack: Stack, procfile_text: str) -> None:
    """Replace this process with honcho running Procfile.dev (Ctrl-C stops every process)."""
    reset_metrics_dirs(stack, procfile_text)
    print_urls()
    os.chdir(stack.root)
    honcho = [sys.executable, "-m", "honcho", "-f", str(stack.procfile)]
    command = [*honcho, "-e", str(stack.env_file), "start"]
    os.execve(sys.executable, command, process_environment({}))  # noqa: S606


def install_chain_tools(stack: Stack) -> None:
    """`npm ci` in the issuance chain folder when anvil is not installed there yet: the chain
    node of Procfile.dev runs the binary the `@foundry-rs/anvil` package ships."""
    chain = stack.root / "issuance_service" / "chain"
    if (chain / "node_modules" / ".bin" / "anvil").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise DevstackError("npm is required for the issuance chain node: install Node.js (npm)")
    say(f"installing the chain tools (npm ci in {chain})")
    run([npm, "ci", "--no-audit", "--no-fund"], cwd=chain, quiet=True)


def prepare(stack: Stack) -> None:
    """Steps a to e: .env, servers, databases, migrations, seed data (and the chain tools)."""
    install_chain_tools(stack)
    env = ensure_servers(stack, load_env(stack))
    create_databases(env)
    apply_migrations(stack, env)
    run_seed(stack, env)


# --- operator helpers ------------------------------------------------------------------------


def service_named(name: str) -> Service:
    """The service called ``name`` (short name, package or compose base name)."""
    wanted = name.replace("-", "_").removesuffix("_service")
    for service in SERVICES:
        if service.short == wanted:
            return service
    raise DevstackError(f"unknown service {name!r}: one of {', '.join(s.short for s in SERVICES)}")


def http_status(url: str) -> str:
    """HTTP status of a GET on a local URL, or why there is none."""
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - http://127.0.0.1
            return str(response.status)
    except urllib.error.HTTPError as error:
        return str(error.code)
    except (urllib.error.URLError, OSError):
        return "down"


def check_health() -> bool:
    """Print /health and /ready of every service; True when all answer 200."""
    healthy = True
    for service in SERVICES:
        base = f"http://{PRIVATE_HOST}:{service.port}"
        health, ready = http_status(f"{base}/health"), http_status(f"{base}/ready")
        healthy = healthy and health == ready == "200"
        print(f"{service.short:<13} {base}  health {health:<6} ready {ready}")
    return healthy


def print_status(env: Mapping[str, str]) -> None:
    """Print which servers answer and which dev processes listen."""
    for key in [*(s.database_key for s in SERVICES), *redis_keys()]:
        url = env.get(key, "")
        probe = postgres_problem if key.endswith("DATABASE_URL") else redis_problem
        state = (probe(url) or "up") if url else "not set"
        print(f"{key:<30} {server_of(url) if url else '-':<16} {state}")
    for s in SERVICES:
        ports = {"app": s.port, "worker": s.worker_metrics_port, "bus": s.bus_metrics_port}
        states = "  ".join(
            f"{name} :{port} {'up' if port_is_listening(port) else 'down'}"
            for name, port in ports.items()
        )
        print(f"{s.short:<13} {states}")


def backup_databases(env: Mapping[str, str], target: Path) -> None:
    """``pg_dump`` every service's database into ``target/<db>.dump`` (custom format)."""
    target.mkdir(parents=True, exist_ok=True)
    pg_dump = postgres_client("pg_dump")
    for service in SERVICES:
        url = required(env, service.database_key)
        dump = target / f"{database_name(url)}.dump"
        run([pg_dump, "--format=custom", "--no-owner", f"--file={dump}", libpq_url(url)])
        say(f"backed up {database_name(url)} to {dump}")


def restore_databases(env: Mapping[str, str], source: Path) -> None:
    """``pg_restore`` every ``source/<db>.dump`` over the service's database."""
    dumps = {s: source / f"{database_name(required(env, s.database_key))}.dump" for s in SERVICES}
    if not any(dump.exists() for dump in dumps.values()):
        raise DevstackError(f"no <database>.dump files in {source}")
    create_databases(env)
    # Roles are the cluster's, not a database's: a dump grants to `finfleet_tenant` but cannot
    # create it, so a restore into a new cluster creates it first.
    with psycopg.connect(libpq_url(env[SERVICES[0].database_key]), autocommit=True) as conn:
        conn.execute(create_tenant_role()[0])
    pg_restore = postgres_client("pg_restore")
    for service, dump in dumps.items():
        if not dump.exists():
            say(f"warning: {dump} is missing, {service.short} left as is")
            continue
        url = libpq_url(env[service.database_key])
        run([pg_restore, "--clean", "--if-exists", "--no-owner", f"--dbname={url}", dump])
        say(f"restored {dump}")


# --- command line ----------------------------------------------------------------------------


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line of ``python -m scripts.devstack``."""
    parser = argparse.ArgumentParser(prog="python -m scripts.devstack", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    default_root = Path(os.environ.get("DEVSTACK_ROOT", REPO_ROOT))
    parser.add_argument("--root", type=Path, default=default_root, help="repository root")
    parser.add_argument("--env-file", type=Path, help="env file (default: ROOT/.env)")
    parser.add_argument("--example", type=Path, help="template (default: ROOT/.env.example)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("env", help="create .env with fresh secrets if it is missing")
    commands.add_parser("prepare", help="env, servers, databases, migrations, seed data")
    commands.add_parser("up", help="prepare, then run Procfile.dev under honcho")
    commands.add_parser("migrate", help="apply every service's migrations")
    commands.add_parser("status", help="which servers answer and which processes listen")
    commands.add_parser("health", help="GET /health and /ready of every service")
    commands.add_parser("stop", help="stop the private Postgres and Redis under .dev/")
    commands.add_parser("dsn", help="a service's database as libpq URL").add_argument("service")
    commands.add_parser("backup", help="pg_dump every database").add_argument("to", type=Path)
    restore = commands.add_parser("restore", help="pg_restore every database from a backup")
    restore.add_argument("source", type=Path)
    return parser.parse_args(argv)


def stack_from(arguments: argparse.Namespace) -> Stack:
    """The file locations chosen on the command line."""
    root = Path(arguments.root).resolve()
    env_file = arguments.env_file or root / ".env"
    example = arguments.example or root / ".env.example"
    return Stack(root=root, env_file=Path(env_file).resolve(), example=Path(example).resolve())


def dispatch(arguments: argparse.Namespace) -> int:
    """Run one subcommand; return the exit status."""
    stack = stack_from(arguments)
    command: str = arguments.command
    if command == "env":
        if not ensure_env_file(stack.example, stack.env_file):
            say(f"{stack.env_file} already exists, left as is")
        else:
            say(f"created {stack.env_file} from {stack.example.name} with fresh secrets and keys")
    elif command == "prepare":
        prepare(stack)
    elif command == "up":
        procfile_text = stack.procfile.read_text(encoding="utf-8")
        require_free_ports(procfile_text)
        prepare(stack)
        start_processes(stack, procfile_text)
    elif command == "migrate":
        apply_migrations(stack, load_env(stack))
    elif command == "status":
        print_status(load_env(stack))
    elif command == "health":
        return 0 if check_health() else 1
    elif command == "stop":
        stop_private_postgres(stack)
        stop_private_redis(stack)
    elif command == "dsn":
        service = service_named(arguments.service)
        print(libpq_url(required(load_env(stack), service.database_key)))
    elif command == "backup":
        backup_databases(load_env(stack), arguments.to)
    elif command == "restore":
        restore_databases(load_env(stack), arguments.source)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the subcommand, turning failures into one readable message."""
    try:
        return dispatch(parse_arguments(argv))
    except DevstackError as error:
        print(f"devstack: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
