"""SIGTERM is a request to stop, not a crash: an app answers the request it is serving, a worker
finishes its task (Celery's warm shutdown), a relay publishes its committed backlog, and each
then exits (0; uvicorn re-raises the SIGTERM it handled, after its graceful shutdown). Every
process here is a real one of the supervised fleet; each is held slow by something outside it
(a stopped downstream, a row lock) while the signal arrives."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
import redis
from celery import Celery

from fleetkit.settings import SERVICES
from fleetkit.testing.fleet import eventually

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(300)]
GRACE_SECONDS = 1.5


def test_sigterm_to_an_app_answers_the_request_in_flight_then_exits(supervised):
    fleet, supervisor = supervised.fleet, supervised.supervisor
    downstream = supervisor.pid("realestate-app")
    headers = {"Authorization": f"Bearer {fleet.user_token(tenant='chaos-graceful')}"}
    answers: list[httpx.Response | Exception] = []

    def ask() -> None:
        try:
            answers.append(httpx.get(f"{fleet.gateway}/api/v1/realestate/buildings",
                                     headers=headers, timeout=60))  # fmt: skip
        except httpx.HTTPError as exc:
            answers.append(exc)

    supervisor.signal_main("realestate-app", signal.SIGSTOP)  # the request will wait on it
    try:
        client = threading.Thread(target=ask)
        client.start()
        arrived = eventually(lambda: connected_to(fleet.app_ports["realestate"]), 10, 0.1)
        assert arrived, "the gateway never called the stopped downstream"
        gateway = supervisor.signal_main("portfolio-app", signal.SIGTERM)
        time.sleep(GRACE_SECONDS)
        assert supervisor.running("portfolio-app"), "the app left before answering"
    finally:
        supervisor.signal_main("realestate-app", signal.SIGCONT)
    client.join(timeout=60)

    [answer] = answers
    assert isinstance(answer, httpx.Response), answer
    assert answer.status_code == 200, answer.text
    # uvicorn finishes its graceful shutdown, then raises the signal it caught again, so the
    # parent sees why it stopped: "killed by SIGTERM" here means "stopped as asked".
    assert supervisor.wait_exit("portfolio-app", gateway, 60) in (0, -signal.SIGTERM)
    assert f"Finished server process [{gateway}]" in fleet.log_path.read_text(errors="replace")
    assert downstream == supervisor.pid("realestate-app")
    wait_ready(fleet.url("portfolio"))


def test_sigterm_to_a_worker_finishes_the_task_in_flight_then_exits_0(supervised):
    fleet, supervisor = supervised.fleet, supervised.supervisor
    database = fleet.libpq_url("realestate")
    key = str(uuid.uuid4())
    with psycopg.connect(database, autocommit=True) as setup:
        setup.execute(
            "INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until, "
            "expires_at) VALUES ('chaos-graceful', %s, 'x', 'done', now(), %s)",
            (key, datetime.now(UTC) - timedelta(days=1)),
        )
    broker = f"redis://127.0.0.1:{fleet.redis_port}/{SERVICES.index('realestate') + 2}"
    sender = Celery("chaos", broker=broker, backend=broker)
    with psycopg.connect(database) as holder:
        holder.execute("SELECT 1 FROM idempotency_keys WHERE key = %s FOR UPDATE", (key,))
        task = sender.send_task("fleetkit.prune_idempotency_keys")  # its DELETE waits on us
        assert eventually(lambda: task.state == "STARTED", 60, 0.2), task.state
        worker = supervisor.signal_main("realestate-worker", signal.SIGTERM)
        time.sleep(GRACE_SECONDS)
        assert supervisor.running("realestate-worker"), "the worker left its task behind"
        holder.rollback()  # the row lock goes; the task's DELETE goes through

    assert task.get(timeout=60) >= 1
    assert supervisor.wait_exit("realestate-worker", worker, 60) == 0
    with psycopg.connect(database) as check:
        left = check.execute("SELECT count(*) FROM idempotency_keys WHERE key = %s", (key,))
        assert left.fetchone() == (0,)
    sender.close()


def test_sigterm_to_a_relay_publishes_its_committed_backlog_then_exits_0(supervised):
    fleet, supervisor = supervised.fleet, supervised.supervisor
    database = fleet.libpq_url("realestate")
    stream = f"fleet.chaos-graceful-{uuid.uuid4().hex[:8]}"  # a stream no service consumes
    ids = [uuid.uuid4() for _ in range(5)]
    with psycopg.connect(database, autocommit=True) as setup:
        for event_id in ids:
            setup.execute("INSERT INTO outbox (id, stream, type, envelope) VALUES "
                          "(%s, %s, 'chaos.graceful', %s)",
                          (event_id, stream, json.dumps({"id": str(event_id)})))  # fmt: skip
    with psycopg.connect(database) as holder:
        # The rows are committed but locked, so the running relay cannot take them yet.
        holder.execute("SELECT 1 FROM outbox WHERE id = ANY(%s) FOR UPDATE", (ids,))
        relay = supervisor.signal_main("realestate-bus", signal.SIGTERM)
        time.sleep(GRACE_SECONDS)
        assert supervisor.running("realestate-bus"), "the relay left its backlog behind"
        holder.rollback()

    assert supervisor.wait_exit("realestate-bus", relay, 60) == 0
    bus = redis.Redis.from_url(fleet.bus_redis_url)
    try:
        assert bus.xlen(stream) == len(ids)
    finally:
        bus.close()
    with psycopg.connect(database) as check:
        left = check.execute("SELECT count(*) FROM outbox WHERE id = ANY(%s) AND published_at "
                             "IS NULL", (ids,))  # fmt: skip
        assert left.fetchone() == (0,)


def connected_to(port: int) -> bool:
    """Whether some client holds an established connection to `port`."""
    listing = subprocess.run(["ss", "-Htn", "state", "established", f"dport = :{port}"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    return bool(listing.strip())


def wait_ready(url: str) -> None:
    def ready() -> bool:
        try:
            return httpx.get(f"{url}/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    assert eventually(ready, 120), f"{url} did not come back"
