"""The whole fleet as real processes, started the way `make dev` starts it.

What the end-to-end suite (tests/e2e), the chaos suite (tests/chaos) and the load bench
(bench/load) share: fresh databases on the machine's Postgres, migrations applied with the
services' own Alembic, fresh keys, a private Redis on a free port, and `Procfile.dev` with its
ports moved to free ones. `running_fleet` runs it under honcho (one child exits, the fleet
stops: what a test run wants); the chaos suite runs the same processes under its own
supervisor, which restarts a killed child.

Every command run here is an argument list built in this module from the repository's own
tools (ruff's S603/S607 silenced where they are started).
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from fleetkit.internal_jwt import TokenMinter
from fleetkit.settings import SERVICES
from fleetkit.testing.keys import FleetKeys
from fleetkit.testing.plugin import recreate_database

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 120
START_ATTEMPTS = 3
SETTINGS = ("FLEET_", *(f"{service.upper()}_" for service in SERVICES))


# Below Linux's ephemeral range (32768-60999): a port the kernel hands out for outgoing
# connections (the fleet makes thousands) would otherwise be taken before a restarted app
# binds it again.
PORT_RANGE = (20_000, 32_000)
_ports = random.Random(os.getpid())


def free_port() -> int:
    """A port nothing listens on now, outside the kernel's ephemeral range."""
    for _ in range(1000):
        port = _ports.randrange(*PORT_RANGE)
        with socket.socket() as sock:
            try:
                sock.bind(("0.0.0.0", port))  # noqa: S104 - the apps listen on every interface
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE}")


@dataclass
class Fleet:
    """Addresses, databases and keys of a running fleet."""

    app_ports: dict[str, int]
    worker_ports: dict[str, int]
    bus_ports: dict[str, int]
    keys: FleetKeys
    log_path: Path
    databases: dict[str, str] = field(default_factory=dict)
    redis_port: int = 0
    redis_pid: int = 0
    honcho_pid: int = 0

    @classmethod
    def on_free_ports(cls, workdir: Path) -> Fleet:
        return cls(
            app_ports={s: free_port() for s in SERVICES},
            worker_ports={s: free_port() for s in SERVICES},
            bus_ports={s: free_port() for s in SERVICES},
            keys=FleetKeys.generate(),
            log_path=workdir / "fleet.log",
        )

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.app_ports[service]}"

    @property
    def gateway(self) -> str:
        return self.url("portfolio")

    @property
    def bus_redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/1"

    def libpq_url(self, service: str) -> str:
        """The service's database as a plain libpq URL (psycopg, psql)."""
        url = make_url(self.databases[service]).set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def user_token(
        self,
        *,
        subject: str = "e2e-user",
        tenant: str | None = "e2e-tenant",
        roles: frozenset[str] = frozenset({"owner"}),
        attributes: dict[str, str] | None = None,
    ) -> str:
        minter = TokenMinter("portfolio", self.keys.seeds["portfolio"])
        return minter.mint(
            "finfleet-api", subject=subject, tenant_id=tenant, roles=roles, attributes=attributes
        )

    def listening_pid(self, service: str) -> int:
        """The process serving `service`'s app port (one uvicorn process per app in dev)."""
        port = self.app_ports[service]
        listing = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"],  # noqa: S603, S607
                                 capture_output=True, text=True, check=True).stdout  # fmt: skip
        found = re.search(r"pid=(\d+)", listing)
        if found is None:
            raise RuntimeError(f"nothing listens on {service}'s port {port}: {listing!r}")
        return int(found.group(1))

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")[-20_000:]


def redis_command(port: int, workdir: Path, *, durable: bool = False) -> list[str]:
    """A private redis-server; `durable` keeps every acknowledged write across a restart (an
    append-only file synced on every write), as a production bus Redis is configured."""
    persistence = ["--appendonly", "yes", "--appendfsync", "always"] if durable else [
        "--appendonly", "no"]  # fmt: skip
    return ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            *persistence, "--dir", str(workdir)]  # fmt: skip


def wait_for_port(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {seconds}s")


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(redis_command(port, workdir), stdout=subprocess.DEVNULL)  # noqa: S603
    try:
        wait_for_port(port)
    except RuntimeError:
        process.kill()
        raise RuntimeError("private redis-server did not start") from None
    return process, port


def fresh_databases(prefix: str) -> dict[str, str]:
    """One new, empty database per service, as asyncpg URLs."""
    return {
        service: make_url(recreate_database(f"{prefix}_{service}"))
        .set(drivername="postgresql+asyncpg")
        .render_as_string(hide_password=False)
        for service in SERVICES
    }


def fleet_environment(
    fleet: Fleet, log_level: str = "INFO", extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment every process of the fleet runs with (settings by prefix)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLEET_", "PROMETHEUS_"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
        FLEET_ENV="test",
        FLEET_LOG_LEVEL=log_level,
        FLEET_BUS_REDIS_URL=fleet.bus_redis_url,
        FLEET_JWT_PUBLIC_KEYS=fleet.keys.public_keys_setting(),
    )
    for number, service in enumerate(SERVICES):
        prefix = service.upper() + "_"
        env[f"FLEET_{prefix}URL"] = fleet.url(service)
        env[f"{prefix}DATABASE_URL"] = fleet.databases[service]
        env[f"{prefix}REDIS_URL"] = f"redis://127.0.0.1:{fleet.redis_port}/{number + 2}"
        env[f"{prefix}JWT_PRIVATE_KEY"] = fleet.keys.private_key(service)
    env.update(extra or {})
    return env


def relocated_procfile(fleet: Fleet, workdir: Path) -> Path:
    """Procfile.dev with every port moved to a free one and `.dev/` moved to `workdir`."""
    text = (ROOT / "Procfile.dev").read_text()
    for number, service in enumerate(SERVICES):
        text = text.replace(f"--port {8000 + number}", f"--port {fleet.app_ports[service]}")
        text = re.sub(rf"=\b{9200 + number}\b", f"={fleet.worker_ports[service]}", text)
        text = re.sub(rf"=\b{9300 + number}\b", f"={fleet.bus_ports[service]}", text)
    text = text.replace("--port 8545", f"--port {free_port()}")  # the issuance chain node
    text = text.replace(".dev/", f"{workdir}/")
    for directory in re.findall(r"PROMETHEUS_MULTIPROC_DIR=(\S+)", text):
        Path(directory).mkdir(parents=True, exist_ok=True)
    path = workdir / "Procfile"
    path.write_text(text)
    return path


def migrate_all(env: dict[str, str]) -> None:
    """Every service's `alembic upgrade head`, side by side (one database each)."""
    running = {
        service: subprocess.Popen(  # noqa: S603
            [str(BIN / "alembic"), "-c", f"{service}_service/alembic.ini", "upgrade", "head"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for service in SERVICES
    }
    for service, process in running.items():
        output, _ = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"migrating {service} failed:\n{output.decode(errors='replace')}")


def wait_until_ready(fleet: Fleet, running: Callable[[], bool]) -> None:
    """Poll every service's /ready; `running` says whether the fleet is still up at all."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    pending = set(SERVICES)
    while pending and time.monotonic() < deadline:
        if not running():
            raise RuntimeError(f"the fleet stopped while starting:\n{fleet.logs()}")
        for service in sorted(pending):
            try:
                if httpx.get(f"{fleet.url(service)}/ready", timeout=1).status_code == 200:
                    pending.discard(service)
            except httpx.HTTPError:
                pass
        time.sleep(0.5)
    if pending:
        raise RuntimeError(f"not ready after {START_TIMEOUT_SECONDS}s: {pending}\n{fleet.logs()}")


def list_demo_instruments(fleet: Fleet) -> None:
    """What an operator does on a fresh install (reference data is not written over the API)."""
    env = {
        **os.environ,
        "EQUITY_DATABASE_URL": fleet.databases["equity"],
        "FLEET_ENV": "test",
        "EQUITY_JWT_PRIVATE_KEY": fleet.keys.private_key("equity"),
    }
    subprocess.run([sys.executable, "-m", "equity_service.admin", "demo-instruments"],
                   cwd=ROOT, env=env, check=True, capture_output=True)  # fmt: skip


def eventually(check: Callable[[], Any], seconds: float = 40.0, pause: float = 0.5) -> Any:
    """Poll `check` until it returns something truthy or `seconds` pass; its last answer."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(pause)


def start_honcho(
    fleet: Fleet, workdir: Path, log_level: str, extra: Mapping[str, str]
) -> subprocess.Popen[bytes]:
    """Procfile.dev under honcho, on ports picked just now (the less time between picking a free
    port and binding it, the less chance another test run on the machine takes it first)."""
    fleet.app_ports = {s: free_port() for s in SERVICES}
    fleet.worker_ports = {s: free_port() for s in SERVICES}
    fleet.bus_ports = {s: free_port() for s in SERVICES}
    env = fleet_environment(fleet, log_level, extra)
    procfile = relocated_procfile(fleet, workdir)
    # honcho reads ./.env unless told otherwise: a developer's .env must not leak in.
    env_file = workdir / "fleet.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items() if k.startswith(SETTINGS)))
    with fleet.log_path.open("wb") as log:
        honcho = subprocess.Popen(  # noqa: S603
            [str(BIN / "honcho"), "-f", str(procfile), "-e", str(env_file), "-d", str(ROOT),
             "start"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    fleet.honcho_pid = honcho.pid
    return honcho


def _alive(process: subprocess.Popen[bytes]) -> bool:
    return process.poll() is None


def stop_honcho(honcho: subprocess.Popen[bytes]) -> None:
    """SIGTERM to honcho's whole process group, SIGKILL after 30 s."""
    with suppress(ProcessLookupError):  # honcho stops by itself when a process fails
        os.killpg(honcho.pid, signal.SIGTERM)
    try:
        honcho.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(honcho.pid, signal.SIGKILL)
        honcho.wait(timeout=30)


@contextmanager
def running_fleet(
    workdir: Path,
    *,
    database_prefix: str,
    log_level: str = "INFO",
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Fleet]:
    """Start the fleet in `workdir` on fresh `<database_prefix>_<service>` databases; stop it
    (honcho's whole process group, then the private Redis) on leaving. A start that lost a port
    to another process on the machine is tried again on new ports."""
    redis, redis_port = start_redis(workdir)
    fleet = Fleet({}, {}, {}, FleetKeys.generate(), workdir / "fleet.log")
    fleet.redis_port, fleet.redis_pid = redis_port, redis.pid
    try:
        fleet.databases = fresh_databases(database_prefix)
        fleet.app_ports = {s: 0 for s in SERVICES}  # migrations call no service
        migrate_all(fleet_environment(fleet, log_level, extra_env))
        for attempt in range(START_ATTEMPTS):
            honcho = start_honcho(fleet, workdir, log_level, extra_env or {})
            try:
                wait_until_ready(fleet, partial(_alive, honcho))
                break
            except RuntimeError:
                stop_honcho(honcho)
                if "Address already in use" not in fleet.logs() or attempt + 1 == START_ATTEMPTS:
                    raise
        try:
            yield fleet
        finally:
            stop_honcho(honcho)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
