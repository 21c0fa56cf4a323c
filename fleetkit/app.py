"""`create_fleet_app`: everything a service gets by default (the fleet's ServiceDefaults).

Health, readiness and metrics; JSON logs with request and trace ids; RFC 9457 errors;
Idempotency-Key on writes; an engine, a Redis and a bus client; internal-token verification on
every `/v1` route; a token minter and downstream clients for calls to other services.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from fleetkit.auth import authenticate
from fleetkit.db import make_engine, make_sessionmaker
from fleetkit.health import router as health_router
from fleetkit.http_client import DownstreamUnavailable
from fleetkit.idempotency import IdempotencyMiddleware
from fleetkit.internal_jwt import TokenMinter, TokenVerifier
from fleetkit.json_logging import configure_logging
from fleetkit.middleware import RequestContextMiddleware
from fleetkit.outages import (
    DATABASE_CONNECTION_ERRORS,
    REDIS_CONNECTION_ERRORS,
    database_unavailable,
    redis_unavailable,
)
from fleetkit.policy import Forbidden, NotFound
from fleetkit.problems import ProblemError, install_problem_handlers, problem_response
from fleetkit.redis_clients import make_redis
from fleetkit.settings import BaseFleetSettings

API_PREFIX = "/v1"
log = logging.getLogger("fleetkit.app")


def create_fleet_app(
    settings: BaseFleetSettings,
    *,
    title: str,
    routers: Sequence[APIRouter],
    public_routers: Sequence[APIRouter] = (),
    description: str = "",
    row_security: bool = False,
) -> FastAPI:
    """A FastAPI app with the fleet's defaults and the service's routers under `/v1`.

    `routers` require a valid internal token; `public_routers` (the gateway's own) do their
    own authentication and are mounted as they are. `row_security`: the service's migrations
    isolate its tenant tables, and request transactions act for the caller's tenant
    (`fleetkit.row_security`).
    """
    configure_logging(settings.service_name, settings.fleet.log_level)
    engine = make_engine(settings.database_url.get_secret_value(), pool_size=settings.db_pool_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        for close in app.state.closers:
            await close()
        await app.state.redis.aclose()
        await app.state.bus.aclose()
        await engine.dispose()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.closers = []  # async callables run at shutdown (downstream clients, ...)
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine, row_security=row_security)
    app.state.redis = make_redis(settings.redis_url.get_secret_value())
    app.state.bus = make_redis(settings.fleet.bus_redis_url)
    app.state.token_verifier = TokenVerifier(settings.service_name, settings.fleet.public_keys())
    seed = settings.signing_key()
    app.state.token_minter = TokenMinter(settings.service_name, seed) if seed else None

    install_problem_handlers(app)
    app.add_exception_handler(NotFound, _policy_not_found)
    app.add_exception_handler(Forbidden, _policy_forbidden)
    app.add_exception_handler(DownstreamUnavailable, _downstream_unavailable)
    for error in DATABASE_CONNECTION_ERRORS:
        app.add_exception_handler(error, _database_unavailable)
    for error in REDIS_CONNECTION_ERRORS:
        app.add_exception_handler(error, _redis_unavailable)
    app.add_middleware(IdempotencyMiddleware, sessionmaker=app.state.sessionmaker)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)

    app.include_router(health_router)
    for router in routers:
        app.include_router(router, prefix=API_PREFIX, dependencies=[Depends(authenticate)])
    for router in public_routers:
        app.include_router(router)
    return app


async def _policy_not_found(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, ProblemError(404, detail="resource not found"))


async def _policy_forbidden(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, ProblemError(403, detail=str(exc) or None))


# Text Postgres cannot store (a NUL character, a byte sequence not in UTF-8): the client's
# input, not our fault, whichever field carried it.
_TEXT_REFUSED = {"22021", "22P05"}  # character_not_in_repertoire, untranslatable_character


def _sqlstate(exc: DBAPIError) -> str | None:
    for cause in (exc.orig, getattr(exc.orig, "__cause__", None)):
        state = getattr(cause, "sqlstate", None)
        if state:
            return str(state)
    return None


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DBAPIError) and _sqlstate(exc) in _TEXT_REFUSED:
        refused = ProblemError(
            422, "invalid-text", "text fields may not contain NUL characters or invalid UTF-8"
        )
        return problem_response(request, refused)
    if isinstance(exc, DBAPIError) and not exc.connection_invalidated:
        raise exc  # a real error: logged and answered as a 500 by RequestContextMiddleware
    log.warning("database connection lost on %s %s: %r", request.method, request.url.path, exc)
    return problem_response(request, database_unavailable())


async def _redis_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("redis unavailable on %s %s: %r", request.method, request.url.path, exc)
    return problem_response(request, redis_unavailable())


async def _downstream_unavailable(request: Request, exc: Exception) -> JSONResponse:
    error = ProblemError(503, "downstream-unavailable", str(exc), headers={"Retry-After": "5"})
    return problem_response(request, error)
