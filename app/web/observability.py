"""Operations: request ids, structured JSON logs, Prometheus metrics, secure headers, readiness.

- Every HTTP request and WebSocket connection gets a request id (a sane `X-Request-ID` from the
  client or proxy, else a new one), echoed in the `X-Request-ID` header, on every log line, and
  on masked errors, so a user's report can be found in the logs.
- Logs are JSON lines (python-json-logger) with request id, user and operation name.
- `/metrics` (prometheus-client, one registry per app): requests and latency by operation,
  errors, open subscriptions, outbox backlog.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from pythonjsonlogger.json import JsonFormatter
from starlette.datastructures import MutableHeaders

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
user: contextvars.ContextVar[str | None] = contextvars.ContextVar("user", default=None)
operation: contextvars.ContextVar[str | None] = contextvars.ContextVar("operation", default=None)

_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class ContextFilter(logging.Filter):
    """Puts the request id, user and operation of the current request on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.user = user.get()
        record.operation = operation.get()
        return True


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the server (`loketflow serve`)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{request_id}{user}{operation}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "loketflow_http_requests",
            "HTTP requests by route and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.operations = Histogram(
            "loketflow_graphql_operation_seconds",
            "GraphQL operations by type and name.",
            ["type", "name"],
            registry=self.registry,
        )
        self.errors = Counter(
            "loketflow_graphql_errors",
            "GraphQL errors by code.",
            ["code"],
            registry=self.registry,
        )
        self.subscriptions = Gauge(
            "loketflow_open_subscriptions",
            "Subscriptions open in this process.",
            registry=self.registry,
        )
        self.outbox = Gauge(
            "loketflow_outbox_backlog",
            "Outbox rows waiting: e-mails not sent, events not published.",
            ["kind"],
            registry=self.registry,
        )

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


SECURE_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
}
API_CSP = b"default-src 'none'; frame-ancestors 'none'"


class RequestContext:
    """ASGI middleware: request id, secure headers, request metrics."""

    def __init__(self, app, *, metrics: Metrics, production: bool):
        self.app, self.metrics, self.production = app, metrics, production

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # The server's own send, for the live fan-out's frames (app/events/fanout.py): a
            # frame passes no wrapper (none changes one), 1,000 frames an event.
            scope["loketflow.server_send"] = send
        given = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["x-request-id"] = rid
                for name, value in SECURE_HEADERS.items():
                    headers.setdefault(name.decode(), value.decode())
                content_type = headers.get("content-type", "")
                if not content_type.startswith("text/html"):
                    headers.setdefault("content-security-policy", API_CSP.decode())
                if self.production:
                    headers.setdefault(
                        "strict-transport-security", "max-age=31536000; includeSubDomains"
                    )
            elif message["type"] == "websocket.accept":
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            request_id.reset(token)
            if scope["type"] == "http":
                route = scope.get("path", "")
                route = "/exports/{token}" if route.startswith("/exports/") else route
                self.metrics.requests.labels(route, scope["method"], str(status)).inc()
            del started
