"""The gateway forwards public calls to a real ledger app (in-process) with a minted token."""

import uuid

import httpx
import pytest

from portfolio_service.identity.tokens import PUBLIC_AUDIENCE
from portfolio_service.main import create_app


@pytest.fixture
async def gateway(settings, ledger_app, committed, test_resources):
    app = create_app(settings, transport=httpx.ASGITransport(app=ledger_app))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client
    for close in app.state.closers:
        await close()
    await app.state.engine.dispose()
    from fleetkit.testing.plugin import truncate_all

    await truncate_all(test_resources.engine("ledger_service"))


@pytest.fixture
def user_headers(mint_token):
    def headers(tenant="acme", subject="alice"):
        token = mint_token(audience=PUBLIC_AUDIENCE, tenant_id=tenant, subject=subject)
        return {"Authorization": f"Bearer {token}"}

    return headers


async def test_public_path_reaches_the_service_under_v1(gateway, user_headers):
    probe_id = uuid.uuid4()

    response = await gateway.get(f"/api/v1/ledger/probes/{probe_id}", headers=user_headers())

    assert response.status_code == 200
    assert response.json()["consumer"] == "ledger"
    assert response.json()["id"] == str(probe_id)


async def test_the_service_sees_the_users_tenant(gateway, user_headers, test_resources):
    from sqlalchemy import text

    response = await gateway.post(
        "/api/v1/ledger/probes", json={"message": "hi"}, headers=user_headers(tenant="acme")
    )

    assert response.status_code == 202
    async with test_resources.engine("ledger_service").connect() as connection:
        tenant = await connection.scalar(text("SELECT envelope->>'tenant_id' FROM outbox"))
    assert tenant == "acme"


async def test_downstream_problem_is_returned_as_it_is(gateway, user_headers):
    response = await gateway.post(
        "/api/v1/ledger/probes", json={"message": "x" * 500}, headers=user_headers()
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "body.message"


async def test_idempotency_key_travels_with_the_call(gateway, user_headers):
    headers = {**user_headers(), "Idempotency-Key": "k-1"}

    first = await gateway.post("/api/v1/ledger/probes", json={"message": "a"}, headers=headers)
    again = await gateway.post("/api/v1/ledger/probes", json={"message": "a"}, headers=headers)

    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]


async def test_call_without_an_access_token_is_refused(gateway):
    response = await gateway.get(f"/api/v1/ledger/probes/{uuid.uuid4()}")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_service_token_is_not_an_access_token(gateway, mint_token):
    token = mint_token(audience="portfolio")

    response = await gateway.get(
        f"/api/v1/ledger/probes/{uuid.uuid4()}", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401


async def test_unknown_prefix_is_a_404_problem(gateway, user_headers):
    response = await gateway.get("/api/v1/crypto/coins", headers=user_headers())

    assert response.status_code == 404
    assert response.json()["type"] == "urn:finfleet:problem:not-found"
