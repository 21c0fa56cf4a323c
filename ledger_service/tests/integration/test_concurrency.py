"""Many clients at once on a few hot accounts, over real HTTP, against real Postgres.

The ledger app is served by uvicorn on 127.0.0.1 from a background thread; two dozen
`httpx.AsyncClient`s fire transfers among limited accounts funded so that some must be refused,
place holds and post or void them, retry requests and send some twice at once. Afterwards the
book must hold exactly what the 201 answers say, computed here independently.

The races that decide a single request against another are also pinned deterministically: the
test holds the account rows locked so both requests are certainly waiting on them together.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from ledger_service.main import create_app

CLIENTS = 24
HOT = 4
FUNDING = Decimal("60.00")
TRANSFERS = 520
TWINS = 40  # of the transfers, sent twice at once
RETRIED = 40  # of the transfers, sent again once answered
HOLDS = 40
TENANT = "race"
CENT = Decimal("0.01")


@dataclass
class LiveLedger:
    url: str
    app: Any


@pytest.fixture
async def live_ledger(settings, committed, engine) -> AsyncIterator[LiveLedger]:
    """The ledger app served by uvicorn in a thread; its lifespan disposes it at the end."""
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # A long keep-alive: on a loaded machine a client may reuse a connection after the
    # default 5 s, just as the server closes it (an httpx ReadError, not a ledger fault).
    config = uvicorn.Config(
        app,
        lifespan="on",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        timeout_keep_alive=120,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started_by = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > started_by:
            raise RuntimeError("the ledger did not start")
        await asyncio.sleep(0.01)
    yield LiveLedger(f"http://127.0.0.1:{port}", app)
    server.should_exit = True
    await asyncio.to_thread(thread.join, 20)
    sock.close()
    assert not thread.is_alive(), "the ledger did not shut down"
    assert await connections_left(engine) == 0, "the app's engine was not disposed"


async def connections_left(engine: Any) -> int:
    """Other sessions on the test database (the server's pool), once they had time to go."""
    for _ in range(50):
        rows = await fetch(
            engine,
            "SELECT count(*) AS n FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        if rows[0]["n"] == 0:
            return 0
        await asyncio.sleep(0.1)
    return int(rows[0]["n"])


@dataclass
class Answer:
    what: str  # transfer, twin, retry, hold, post, void, repost, revoid
    transaction_id: str
    body: dict[str, Any]
    status: int
    payload: dict[str, Any]
    text: str


@dataclass
class Traffic:
    answers: list[Answer] = field(default_factory=list)

    async def send(
        self, http: httpx.AsyncClient, what: str, url: str, body: dict[str, Any], tid: str
    ) -> Answer:
        response = await http.post(url, json=body)
        payload = (
            response.json() if response.headers.get("content-type", "").endswith("json") else {}
        )
        answer = Answer(what, tid, body, response.status_code, payload, response.text)
        self.answers.append(answer)
        return answer


def transfer(rng: random.Random, accounts: list[str], mode: str = "posted") -> dict[str, Any]:
    source, destination = rng.sample(accounts, 2)
    amount = str(Decimal(rng.randint(100, 2_000)) * CENT)
    return {
        "id": str(uuid.uuid4()),
        "mode": mode,
        "lines": [
            {"account_id": source, "side": "debit", "amount": amount},
            {"account_id": destination, "side": "credit", "amount": amount},
        ],
    }


async def open_hot_accounts(http: httpx.AsyncClient, traffic: Traffic) -> list[str]:
    assert (await http.post("/v1/assets", json={"asset": "USD/2"})).status_code in (200, 201)
    accounts = []
    for n in range(HOT):
        body = {
            "name": f"tenant:{TENANT}/hot/{n}",
            "asset": "USD/2",
            "debits_must_not_exceed_credits": True,
        }
        response = await http.post("/v1/accounts", json=body)
        assert response.status_code == 201, response.text
        accounts.append(response.json()["id"])
        deposit = {"id": str(uuid.uuid4()), "account_id": accounts[-1], "amount": str(FUNDING)}
        answer = await traffic.send(http, "deposit", "/v1/deposits", deposit, deposit["id"])
        assert answer.status == 201, answer.text
    return accounts


def jobs_for(rng: random.Random, accounts: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """What the clients will do, shuffled: plain, twin and retried transfers, hold lifecycles."""
    jobs: list[tuple[str, dict[str, Any]]] = []
    for n in range(TRANSFERS):
        kind = "twin" if n < TWINS else "retry" if n < TWINS + RETRIED else "transfer"
        jobs.append((kind, transfer(rng, accounts)))
    for _ in range(HOLDS):
        hold = transfer(rng, accounts, mode="pending")
        hold["resolution"] = rng.choice(["post", "post-partial", "void"])
        hold["retry_resolution"] = rng.random() < 0.3
        jobs.append(("hold", hold))
    rng.shuffle(jobs)
    return jobs


async def run_job(
    http: httpx.AsyncClient, traffic: Traffic, rng: random.Random, kind: str, job: dict[str, Any]
) -> None:
    tid = job["id"]
    if kind == "twin":
        await asyncio.gather(
            traffic.send(http, "twin", "/v1/transactions", job, tid),
            traffic.send(http, "twin", "/v1/transactions", job, tid),
        )
    elif kind == "retry":
        await traffic.send(http, "transfer", "/v1/transactions", job, tid)
        await traffic.send(http, "retry", "/v1/transactions", job, tid)
    elif kind == "transfer":
        await traffic.send(http, "transfer", "/v1/transactions", job, tid)
    else:
        body = {k: v for k, v in job.items() if k not in ("resolution", "retry_resolution")}
        placed = await traffic.send(http, "hold", "/v1/transactions", body, tid)
        if placed.status != 201:
            return
        await asyncio.sleep(rng.random() / 50)
        action = "void" if job["resolution"] == "void" else "post"
        resolution: dict[str, Any] = {}
        if job["resolution"] == "post-partial":
            half = Decimal(job["lines"][0]["amount"]) / 2
            resolution["amount"] = str(half.quantize(CENT, rounding=ROUND_DOWN))
        url = f"/v1/transactions/{tid}/{action}"
        await traffic.send(http, action, url, resolution, tid)
        if job["retry_resolution"]:
            await traffic.send(http, f"re{action}", url, resolution, tid)


async def drive(
    url: str, headers: dict[str, str], jobs: list[tuple[str, dict[str, Any]]], traffic: Traffic
) -> None:
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def client(seed: int) -> None:
        rng = random.Random(seed)
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
            while not queue.empty():
                kind, job = queue.get_nowait()
                await run_job(http, traffic, rng, kind, job)

    await asyncio.gather(*(client(seed) for seed in range(CLIENTS)))


def expected_totals(answers: list[Answer]) -> dict[str, list[Decimal]]:
    """Each account's four totals, from the 201 answers alone (their kinds and lines)."""
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    holds = {
        a.payload["id"]: a.payload
        for a in answers
        if a.status == 201 and a.payload["kind"] == "pending"
    }

    def move(line: dict[str, Any], *, pending: bool, sign: int = 1) -> None:
        column = (0 if line["side"] == "debit" else 2) + (0 if pending else 1)
        totals[line["account_id"]][column] += sign * Decimal(line["amount"])

    for answer in answers:
        if answer.status != 201:
            continue
        created = answer.payload
        if created["kind"] in ("post_hold", "void_hold"):
            for line in holds[created["target_id"]]["lines"]:
                move(line, pending=True, sign=-1)
        for line in created["lines"]:
            move(line, pending=created["kind"] == "pending")
    return totals


async def fetch(engine: Any, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list((await connection.execute(text(sql), params)).mappings())


async def test_hot_accounts_under_parallel_clients_over_http(live_ledger, auth_headers, engine):
    headers = auth_headers(tenant_id=TENANT, roles=frozenset({"owner"}))
    traffic = Traffic()
    rng = random.Random(20_250_131)
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=live_ledger.url, headers=headers, timeout=60) as http:
        accounts = await open_hot_accounts(http, traffic)
    await drive(live_ledger.url, headers, jobs_for(rng, accounts), traffic)
    elapsed = time.monotonic() - started
    answers = traffic.answers

    # nothing failed on the server, nothing deadlocked
    statuses = Counter(a.status for a in answers)
    unexpected = [a.text for a in answers if a.status not in (200, 201, 409)]
    assert not unexpected, unexpected[:5]
    assert not [a.text for a in answers if "deadlock" in a.text.lower()]
    assert statuses[409] > 0, "the funding must make some transfers fail"
    refusals = Counter(a.payload["type"].rsplit(":", 1)[-1] for a in answers if a.status == 409)
    assert set(refusals) <= {"insufficient-funds"}, refusals

    # each id created at most once; replays and retries answer the original
    by_id: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        if answer.what in ("deposit", "transfer", "twin", "retry", "hold"):
            by_id[answer.transaction_id].append(answer)
    created = {tid for tid, group in by_id.items() if any(a.status == 201 for a in group)}
    for group in by_id.values():
        assert sum(a.status == 201 for a in group) <= 1, [a.text for a in group]
        booked = next((a for a in group if a.status == 201), None)
        for answer in group:
            if answer.status == 200:
                assert booked is not None
                assert answer.payload == booked.payload
            if answer.what == "retry" and group[0].status == 201:
                assert answer.status == 200, answer.text
    # Twins: created once; the other copy is replayed (200) or, if it was decided before its
    # twin was booked while other transfers had drained the payer, refused for funds (a refusal
    # stores nothing). The lock-wait race itself is pinned deterministically below.
    for group in by_id.values():
        if group[0].what == "twin" and 201 in {a.status for a in group}:
            assert sorted(a.status for a in group) in ([200, 201], [201, 409])
            for refused in (a for a in group if a.status == 409):
                assert refused.payload["type"].endswith(":insufficient-funds")
    resolutions = [a for a in answers if a.what in ("post", "void", "repost", "revoid")]
    assert all(a.status in (200, 201) for a in resolutions), [a.text for a in resolutions]
    for answer in resolutions:
        if answer.what.startswith("re"):
            first = next(a for a in resolutions if a.transaction_id == answer.transaction_id)
            assert answer.status == 200
            assert answer.payload == first.payload

    # the book: every created id exactly once, nothing else; each hold resolved once
    stored = await fetch(
        engine,
        "SELECT id::text AS id, kind, target_id::text AS target FROM transactions "
        "WHERE tenant_id = :tenant",
        tenant=TENANT,
    )
    originals = Counter(row["id"] for row in stored if row["target"] is None)
    assert originals == Counter(created)
    resolved = Counter((row["target"], row["kind"]) for row in stored if row["target"] is not None)
    answered = Counter(
        (a.transaction_id, a.payload["kind"]) for a in resolutions if a.status == 201
    )
    assert resolved == answered
    assert all(n == 1 for n in resolved.values())

    # balances: what the 201 answers add up to, limits kept, balanced, entries agree
    expected = expected_totals(answers)
    rows = await fetch(
        engine,
        "SELECT id::text AS id, debits_pending, debits_posted, credits_pending, credits_posted, "
        "version, debits_must_not_exceed_credits AS limited FROM accounts WHERE tenant_id = :t",
        t=TENANT,
    )
    columns = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")
    for row in rows:
        in_units = [Decimal(row[c]) * CENT for c in columns]
        assert in_units == expected[row["id"]], row
        if row["limited"]:
            assert row["debits_pending"] + row["debits_posted"] <= row["credits_posted"], row
    assert sum(r["debits_posted"] - r["credits_posted"] for r in rows) == 0
    assert sum(r["debits_pending"] - r["credits_pending"] for r in rows) == 0
    async with httpx.AsyncClient(base_url=live_ledger.url, headers=headers) as http:
        for account in accounts:
            balance = (await http.get(f"/v1/accounts/{account}/balance")).json()
            dp, dpo, _, cpo = expected[account]
            assert Decimal(balance["posted"]) == cpo - dpo
            assert Decimal(balance["available"]) == cpo - dpo - dp >= 0
    latest = await fetch(
        engine,
        "SELECT DISTINCT ON (account_id) account_id::text AS id, version, count(*) OVER "
        "(PARTITION BY account_id) AS n FROM entries ORDER BY account_id, version DESC",
    )
    versions = {row["id"]: row["version"] for row in rows}
    for entry in latest:
        assert entry["version"] == entry["n"] == versions[entry["id"]]
    assert elapsed < 60, f"took {elapsed:.1f}s"


# -- races decided deterministically ---------------------------------------------------------


@pytest.fixture
def h(auth_headers):
    return auth_headers(tenant_id="pinned", roles=frozenset({"owner"}))


@pytest.fixture
async def funded(client, h):
    """A limited account with 100.00 and an unlimited one."""
    await client.post("/v1/assets", json={"asset": "USD/2"}, headers=h)
    ids = []
    for name, limited in (("payer", True), ("payee", False)):
        body = {
            "name": f"tenant:pinned/{name}",
            "asset": "USD/2",
            "debits_must_not_exceed_credits": limited,
        }
        ids.append((await client.post("/v1/accounts", json=body, headers=h)).json()["id"])
    deposit = {"id": str(uuid.uuid4()), "account_id": ids[0], "amount": "100.00"}
    assert (await client.post("/v1/deposits", json=deposit, headers=h)).status_code == 201
    return ids


async def while_locked(engine, account_ids, *requests, pause=0.3):
    """Start each request in turn while the accounts are locked, then let them all go.

    Each request is certainly waiting on the account rows when the next one starts, so they
    are decided one after the other in the order given, the later ones having begun before the
    earlier ones committed: the tightest race two clients can produce.
    """
    async with engine.connect() as connection:
        await connection.execute(text("BEGIN"))
        await connection.execute(
            text("SELECT 1 FROM accounts WHERE id = ANY(CAST(:ids AS uuid[])) FOR UPDATE"),
            {"ids": account_ids},
        )
        tasks = []
        for request in requests:
            tasks.append(asyncio.ensure_future(request))
            await asyncio.sleep(pause)
        await connection.execute(text("COMMIT"))
    return [await task for task in tasks]


def transfer_body(source, destination, amount, mode="posted"):
    return {
        "id": str(uuid.uuid4()),
        "mode": mode,
        "lines": [
            {"account_id": source, "side": "debit", "amount": amount},
            {"account_id": destination, "side": "credit", "amount": amount},
        ],
    }


@pytest.mark.parametrize(("first", "second"), [("post", "void"), ("void", "post")])
async def test_a_post_and_a_void_racing_on_one_hold_resolve_it_once(
    client, h, funded, engine, first, second
):
    """Found by these tests (500 before 8e4d969): the loser is refused, nothing released twice."""
    payer, payee = funded
    hold = transfer_body(payer, payee, "10.00", mode="pending")
    assert (await client.post("/v1/transactions", json=hold, headers=h)).status_code == 201

    winner, loser = await while_locked(
        engine,
        funded,
        client.post(f"/v1/transactions/{hold['id']}/{first}", headers=h),
        client.post(f"/v1/transactions/{hold['id']}/{second}", headers=h),
    )

    assert winner.status_code == 201, winner.text
    assert loser.status_code == 409, loser.text
    assert loser.json()["type"] == "urn:finfleet:problem:hold-already-resolved"
    payer = (await client.get(f"/v1/accounts/{funded[0]}", headers=h)).json()
    assert payer["debits_pending"] == "0.00"
    assert payer["debits_posted"] == ("10.00" if first == "post" else "0.00")


async def test_a_request_sent_twice_at_once_is_created_once_and_replayed(client, h, funded, engine):
    payer, payee = funded
    body = transfer_body(payer, payee, "60.00")  # a second application would overdraw

    answers = await while_locked(
        engine,
        funded,
        client.post("/v1/transactions", json=body, headers=h),
        client.post("/v1/transactions", json=body, headers=h),
    )

    assert [a.status_code for a in answers] == [201, 200], [a.text for a in answers]


@pytest.mark.parametrize("action", ["post", "void", "reverse"])
async def test_a_resolution_sent_twice_at_once_is_applied_once_and_replayed(
    client, h, funded, engine, action
):
    mode = "posted" if action == "reverse" else "pending"
    payer, payee = funded
    target = transfer_body(payer, payee, "10.00", mode=mode)
    assert (await client.post("/v1/transactions", json=target, headers=h)).status_code == 201
    url = f"/v1/transactions/{target['id']}/{action}"

    answers = await while_locked(
        engine, funded, client.post(url, headers=h), client.post(url, headers=h)
    )

    assert [a.status_code for a in answers] == [201, 200], [a.text for a in answers]


async def test_an_account_never_closes_while_a_deposit_lands_on_it(client, h, engine):
    await client.post("/v1/assets", json={"asset": "USD/2"}, headers=h)
    body = {"name": "tenant:pinned/closing", "asset": "USD/2"}
    account = (await client.post("/v1/accounts", json=body, headers=h)).json()["id"]
    deposit = {"id": str(uuid.uuid4()), "account_id": account, "amount": "25.00"}

    deposited, closing = await while_locked(
        engine,
        [account],
        client.post("/v1/deposits", json=deposit, headers=h),
        client.post(f"/v1/accounts/{account}/close", headers=h),
    )

    assert deposited.status_code == 201, deposited.text
    state = (await client.get(f"/v1/accounts/{account}", headers=h)).json()
    assert not (state["closed"] and state["credits_posted"] != "0.00"), (closing.text, state)
