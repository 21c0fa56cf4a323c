"""The outermost layer of every app: request and trace ids, metrics by route template."""

from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fleetkit.metrics import HTTP_LATENCY, HTTP_REQUESTS
from fleetkit.outages import outage_problem
from fleetkit.problems import send_problem, send_unexpected_error
from fleetkit.request_context import request_id_var, traceparent_var
from fleetkit.row_security import TenantScope, tenant_scope

log = logging.getLogger("fleetkit.access")
_TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
_UNMATCHED_ROUTE = "<unmatched>"


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/v1/orders/{order_id}`), never the raw path.

    FastAPI records the full template of a route reached through included routers in its own
    scope entry; a plain Starlette route leaves itself in `scope["route"]`.
    """
    context = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    return template or _UNMATCHED_ROUTE


def _new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def _child_traceparent(parent: str) -> str:
    # Same trace, a new span for this hop.
    return f"00-{parent.split('-')[1]}-{secrets.token_hex(8)}-01"


class RequestContextMiddleware:
    """Sets request id and traceparent, counts and times every request by route template."""

    def __init__(self, app: ASGIApp, service: str):
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = headers.get("x-request-id") or secrets.token_hex(8)
        incoming = headers.get("traceparent", "")
        traceparent = (
            _child_traceparent(incoming) if _TRACEPARENT.match(incoming) else _new_traceparent()
        )
        rid_token = request_id_var.set(request_id[:64])
        scope_token = tenant_scope.set(TenantScope())
        tp_token = traceparent_var.set(traceparent)
        status = 500
        status_sent = False
        started = time.perf_counter()

        async def send_with_ids(message: Message) -> None:
            nonlocal status, status_sent
            if message["type"] == "http.response.start":
                status, status_sent = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id[:64].encode("latin-1")),
                    (b"traceparent", traceparent.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_ids)
        except Exception as exc:
            # Answered here, inside the request's context, so the problem and the logged
            # stack carry the request and trace ids the client sees. A dependency down in a
            # middleware (the Idempotency-Key claim's database, say) is a 503, as in a route.
            outage = None if status_sent else outage_problem(exc)
            if outage is not None:
                log.warning("%s on %s %s: %r", outage.kind, scope["method"], scope["path"], exc)
                await send_problem(scope, send_with_ids, outage)
                return
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if status_sent:
                raise
            await send_unexpected_error(scope, send_with_ids)
        finally:
            template = route_template(scope)
            elapsed = time.perf_counter() - started
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, template).observe(elapsed)
            log.info(
                "%s %s %s",
                method,
                scope["path"],
                status,
                extra={"route": template, "status": status, "duration_ms": round(elapsed * 1e3, 2)},
            )
            request_id_var.reset(rid_token)
            tenant_scope.reset(scope_token)
            traceparent_var.reset(tp_token)
