"""RFC 9457 problem details: one exception type, one JSON shape, for every error."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope, Send

from fleetkit.request_context import request_id_var, trace_id

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:finfleet:problem:"

log = logging.getLogger("fleetkit.problems")

_STATUS_KINDS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "The request is not valid"),
    429: ("rate-limited", "Too many requests"),
    500: ("internal-error", "Internal error"),
    502: ("bad-gateway", "Bad gateway"),
    503: ("service-unavailable", "Service unavailable"),
    504: ("gateway-timeout", "Gateway timeout"),
}


class ProblemError(Exception):
    """An error that answers the client with a problem document.

    `kind` becomes the stable `type` URI (`urn:finfleet:problem:<kind>`); extra keyword
    arguments become extension members of the document.
    """

    def __init__(
        self,
        status: int,
        kind: str | None = None,
        detail: str | None = None,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        default_kind, default_title = _STATUS_KINDS.get(status, ("error", "Error"))
        self.status = status
        self.kind = kind or default_kind
        self.title = title or default_title
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions
        super().__init__(detail or self.title)


def not_found(what: str = "resource") -> ProblemError:
    """The 404 for anything missing or belonging to another tenant."""
    return ProblemError(404, "not-found", f"{what} not found")


def conflict(kind: str, detail: str, **extensions: Any) -> ProblemError:
    """A 409 for a request that contradicts the current state."""
    return ProblemError(409, kind, detail, title="Conflict", **extensions)


def problem_document(request: Request | None, error: ProblemError) -> dict[str, Any]:
    """The JSON body of a problem response."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + error.kind,
        "title": error.title,
        "status": error.status,
    }
    if error.detail:
        body["detail"] = error.detail
    if request is not None:
        body["instance"] = request.url.path
    body["trace_id"] = trace_id()
    body["request_id"] = request_id_var.get()
    body.update(error.extensions)
    return body


def problem_response(request: Request | None, error: ProblemError) -> JSONResponse:
    """Render a ProblemError as `application/problem+json`."""
    return JSONResponse(
        problem_document(request, error),
        status_code=error.status,
        media_type=PROBLEM_JSON,
        headers=error.headers,
    )


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for item in exc.errors():
        loc = [str(part) for part in item.get("loc", ())]
        errors.append(
            {"field": ".".join(loc), "message": item.get("msg", ""), "code": item.get("type", "")}
        )
    return errors


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc)


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers or {})
    return problem_response(request, ProblemError(exc.status_code, detail=detail, headers=headers))


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    error = ProblemError(422, detail="one or more fields are invalid", errors=_field_errors(exc))
    return problem_response(request, error)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Reached only by an app without RequestContextMiddleware, which answers these itself.
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, ProblemError(500, detail="an unexpected error occurred"))


async def send_problem(scope: Scope, send: Send, error: ProblemError) -> None:
    """Send a problem response from ASGI middleware, where there is no Request object."""
    body = problem_document(None, error)
    body["instance"] = scope["path"]
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in error.headers.items()),
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def send_unexpected_error(scope: Scope, send: Send) -> None:
    """The 500 problem: the client learns only that it failed and the ids; the log has the rest."""
    await send_problem(scope, send, ProblemError(500, detail="an unexpected error occurred"))


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of `app`, including validation and unexpected ones, a problem."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected)
