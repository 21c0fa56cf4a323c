"""A real issuance Celery worker killed in the middle of minting, twice: between signing and
broadcasting (the signed bytes are stored, the node never saw them) and between broadcasting
and recording the receipts. After a restart the same transactions (same nonces, same hashes)
end up confirmed, with exactly one certificate per investment on chain."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from fleetkit.celery_app import make_celery
from issuance_service.investments.closing import close_due

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class HeldRpc:
    """A JSON-RPC proxy in front of anvil. Armed with a method, it holds the first request
    calling it: `before` never forwards it (the node never sees it), `after` forwards it and
    holds the answer (the node has acted, the caller does not know)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.method: str | None = None
        self.when = "before"
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        calls = json.loads(body)
        methods = {c["method"] for c in (calls if isinstance(calls, list) else [calls])}
        held = self.method is not None and self.method in methods
        if held and self.when == "before":
            self.arrived.set()
            await asyncio.to_thread(self.release.wait, 120)
            return  # the caller is dead by now; nothing reaches the node
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                self.upstream, content=body, headers={"content-type": "application/json"}
            )
        if held:
            self.arrived.set()
            await asyncio.to_thread(self.release.wait, 120)
        await send(
            {
                "type": "http.response.start",
                "status": answer.status_code,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": answer.content})


@pytest.fixture
def rpc_proxy(anvil_url) -> Iterator[tuple[str, HeldRpc]]:
    proxy = HeldRpc(anvil_url)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(proxy, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", proxy
    proxy.release.set()
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def start_worker(settings, fleet_keys, rpc_url: str, contract: str, key: str):
    env = {
        **os.environ,
        "ISSUANCE_DATABASE_URL": settings.database_url.get_secret_value(),
        "ISSUANCE_REDIS_URL": settings.redis_url.get_secret_value(),
        "ISSUANCE_JWT_PRIVATE_KEY": fleet_keys.private_key("issuance"),
        "ISSUANCE_WORKER_METRICS_PORT": "0",
        "ISSUANCE_CHAIN_CONTRACT_ADDRESS": contract,
        "ISSUANCE_CHAIN_PRIVATE_KEY": key,
        "ISSUANCE_CHAIN_CONFIRMATIONS": "1",
        "FLEET_ENV": "test",
        "FLEET_CHAIN_RPC_URL": rpc_url,
        "FLEET_BUS_REDIS_URL": settings.fleet.bus_redis_url,
        "FLEET_JWT_PUBLIC_KEYS": fleet_keys.public_keys_setting(),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "issuance_service.worker", "worker",
        "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def intents(engine) -> list[tuple[str, str, int, str]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT business_key, status, nonce, tx_hash FROM chain_intents ORDER BY seq")
        )
        return [tuple(row) for row in rows]


@pytest.mark.parametrize(
    ("method", "when", "left"),
    [
        ("eth_sendRawTransaction", "before", "signed"),  # killed between sign and broadcast
        ("eth_getTransactionReceipt", "after", "broadcast"),  # between broadcast and receipt
    ],
)
async def test_a_worker_killed_mid_mint_ends_with_one_certificate_per_investment(
    platform,
    issuance_app,
    clock,
    chain,
    settings,
    fleet_keys,
    rpc_proxy,
    dev_key,
    method,
    when,
    left,
):
    url, proxy = rpc_proxy
    engine = issuance_app.state.engine
    campaign = await platform.live(min_target="1000.00")
    for name in ("ann", "bob", "cat"):
        await platform.investor(name, cash="5000")
        await platform.pledge(campaign["id"], name, "1000.00")
    clock.travel(timedelta(days=31))
    assert await close_due(engine, issuance_app.state.books, clock.now) == 1

    celery = make_celery(settings.model_copy(update={"worker_metrics_port": 0}), include=[])
    address = str(chain.contract.address)
    proxy.method, proxy.when = method, when
    worker = start_worker(settings, fleet_keys, url, address, dev_key)
    celery.send_task("issuance.write_chain")
    assert await asyncio.to_thread(proxy.arrived.wait, 180), "the worker never got there"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    proxy.release.set()
    at_kill = await intents(engine)
    assert {status for _key, status, _nonce, _hash in at_kill} == {left}

    proxy.method = None
    restarted = start_worker(settings, fleet_keys, url, address, dev_key)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            celery.send_task("issuance.write_chain")  # what beat sends every few seconds
            await asyncio.sleep(1.0)
            if {row[1] for row in await intents(engine)} == {"confirmed"}:
                break
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=20)

    after = await intents(engine)
    assert {row[1] for row in after} == {"confirmed"}
    # The same transactions as signed before the kill: no new nonce, no new hash.
    assert [(k, n, h) for k, _s, n, h in after] == [(k, n, h) for k, _s, n, h in at_kill]
    minted = chain.contract.events.CertificateMinted().get_logs(from_block=0)
    assert len(minted) == 3
