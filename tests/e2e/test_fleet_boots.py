"""The fleet as real processes: ready, reachable only through the gateway, talking, observed."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from fleetkit.settings import SERVICES

pytestmark = pytest.mark.e2e
PUBLIC_PREFIX = {
    "equity": "equity",
    "fixed_income": "bonds",
    "ledger": "ledger",
    "realestate": "realestate",
    "issuance": "issuance",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_is_ready(fleet, service):
    response = httpx.get(f"{fleet.url(service)}/ready", timeout=5)
    assert response.status_code == 200
    assert response.json()["checks"] == {"postgres": "ok", "redis": "ok"}


@pytest.mark.parametrize("service", list(PUBLIC_PREFIX))
def test_gateway_forwards_to_each_service_with_a_minted_token(fleet, service):
    probe_id = uuid.uuid4()
    response = httpx.get(
        f"{fleet.gateway}/api/v1/{PUBLIC_PREFIX[service]}/probes/{probe_id}",
        headers=bearer(fleet.user_token()),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": str(probe_id),
        "consumer": service,
        "received": False,
        "received_at": None,
    }


@pytest.mark.parametrize("service", list(PUBLIC_PREFIX))
def test_direct_call_without_a_token_is_refused(fleet, service):
    response = httpx.get(f"{fleet.url(service)}/v1/probes/{uuid.uuid4()}", timeout=5)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_user_token_is_not_accepted_by_a_service_directly(fleet):
    response = httpx.get(
        f"{fleet.url('ledger')}/v1/probes/{uuid.uuid4()}",
        headers=bearer(fleet.user_token()),
        timeout=5,
    )
    assert response.status_code == 401


def test_gateway_refuses_a_call_without_an_access_token(fleet):
    response = httpx.get(f"{fleet.gateway}/api/v1/ledger/probes/{uuid.uuid4()}", timeout=5)
    assert response.status_code == 401
    assert response.json()["type"] == "urn:finfleet:problem:unauthorized"


def test_unknown_service_prefix_is_a_404_problem(fleet):
    response = httpx.get(
        f"{fleet.gateway}/api/v1/nowhere/anything", headers=bearer(fleet.user_token()), timeout=5
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_event_published_by_one_service_is_consumed_by_every_other(fleet):
    token = fleet.user_token()
    sent = httpx.post(
        f"{fleet.gateway}/api/v1/equity/probes",
        json={"message": "hello fleet"},
        headers=bearer(token),
        timeout=10,
    )
    assert sent.status_code == 202, sent.text
    probe_id = sent.json()["id"]

    waiting = {s for s in PUBLIC_PREFIX if s != "equity"}
    deadline = time.monotonic() + 30
    while waiting and time.monotonic() < deadline:
        for service in sorted(waiting):
            receipt = httpx.get(
                f"{fleet.gateway}/api/v1/{PUBLIC_PREFIX[service]}/probes/{probe_id}",
                headers=bearer(token),
                timeout=5,
            ).json()
            if receipt["received"]:
                waiting.discard(service)
        time.sleep(0.3)
    assert waiting == set(), f"not delivered to {waiting}\n{fleet.logs()}"


def test_idempotent_post_through_the_gateway_replays(fleet):
    headers = {**bearer(fleet.user_token()), "Idempotency-Key": f"e2e-{uuid.uuid4()}"}
    url = f"{fleet.gateway}/api/v1/ledger/probes"
    first = httpx.post(url, json={"message": "once"}, headers=headers, timeout=10)
    second = httpx.post(url, json={"message": "once"}, headers=headers, timeout=10)
    reused = httpx.post(url, json={"message": "other"}, headers=headers, timeout=10)

    assert first.status_code == 202
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert reused.status_code == 422


@pytest.mark.parametrize("service", SERVICES)
def test_metrics_show_the_requests_just_made(fleet, service):
    for _ in range(3):
        httpx.get(f"{fleet.url(service)}/v1/probes/{uuid.uuid4()}", timeout=5)

    metrics = httpx.get(f"{fleet.url(service)}/metrics", timeout=5).text

    lines = [line for line in metrics.splitlines() if line.startswith("http_requests_total{")]
    matching = [
        line
        for line in lines
        if 'route="/v1/probes/{probe_id}"' in line
        and 'status="401"' in line
        and f'service="{service}"' in line
    ]
    assert matching, "\n".join(lines)
    assert float(matching[0].rsplit(" ", 1)[1]) >= 3


@pytest.mark.parametrize("service", SERVICES)
def test_workers_and_bus_processes_expose_metrics(fleet, service):
    worker = httpx.get(f"http://127.0.0.1:{fleet.worker_ports[service]}/metrics", timeout=5)
    bus = httpx.get(f"http://127.0.0.1:{fleet.bus_ports[service]}/metrics", timeout=5)

    assert worker.status_code == 200
    assert f'celery_queue_length{{queue="celery",service="{service}"}}' in worker.text
    assert bus.status_code == 200
    assert "fleet_outbox_backlog" in bus.text


def test_money_moves_in_the_ledger_through_the_gateway(fleet):
    headers = bearer(fleet.user_token(tenant="e2e-books"))
    ledger = f"{fleet.gateway}/api/v1/ledger"
    assert httpx.post(f"{ledger}/assets", json={"asset": "USD/2"}, headers=headers).status_code in (
        200,
        201,
    )
    accounts = []
    for name in ("alice", "bob"):
        body = {"name": f"tenant:e2e-books/user:{name}/cash", "asset": "USD/2",
                "debits_must_not_exceed_credits": True}  # fmt: skip
        response = httpx.post(f"{ledger}/accounts", json=body, headers=headers, timeout=10)
        assert response.status_code in (200, 201), response.text
        accounts.append(response.json()["id"])
    alice, bob = accounts
    deposit = {"id": str(uuid.uuid4()), "account_id": alice, "amount": "50.00"}
    assert httpx.post(f"{ledger}/deposits", json=deposit, headers=headers).status_code == 201
    transfer = {
        "id": str(uuid.uuid4()),
        "lines": [
            {"account_id": alice, "side": "debit", "amount": "20.00"},
            {"account_id": bob, "side": "credit", "amount": "20.00"},
        ],
    }

    posted = httpx.post(f"{ledger}/transactions", json=transfer, headers=headers, timeout=10)
    overdraft = httpx.post(
        f"{ledger}/transactions",
        json={**transfer, "id": str(uuid.uuid4()), "lines": [
            {"account_id": alice, "side": "debit", "amount": "30.01"},
            {"account_id": bob, "side": "credit", "amount": "30.01"}]},
        headers=headers, timeout=10,
    )  # fmt: skip

    assert posted.status_code == 201, posted.text
    assert overdraft.json()["type"] == "urn:finfleet:problem:insufficient-funds"
    balance = httpx.get(f"{ledger}/accounts/{alice}/balance", headers=headers).json()
    assert balance["posted"] == "30.00"
