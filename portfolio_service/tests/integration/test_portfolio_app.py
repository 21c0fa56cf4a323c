"""The portfolio service boots with the kit's defaults on a migrated database."""

import pytest


async def test_ready_checks_postgres_and_redis(client):
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"postgres": "ok", "redis": "ok"}


async def test_business_routes_refuse_calls_without_a_token(client):
    response = await client.post("/v1/probes", json={"message": "hi"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("audience", ["ledger"])
async def test_token_for_another_service_is_refused(client, auth_headers, audience):
    response = await client.post(
        "/v1/probes", json={"message": "hi"}, headers=auth_headers(audience=audience)
    )
    assert response.status_code == 401


async def test_probe_is_written_to_the_outbox(client, auth_headers, engine):
    from sqlalchemy import text

    response = await client.post("/v1/probes", json={"message": "hi"}, headers=auth_headers())
    assert response.status_code == 202
    async with engine.connect() as connection:
        stream = await connection.scalar(text("SELECT stream FROM outbox"))
    assert stream == "fleet.portfolio"
