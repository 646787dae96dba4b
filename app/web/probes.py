"""The operations endpoints: /healthz (liveness), /readyz (readiness) and /metrics (Prometheus)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select, text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.db.models import EmailStatus, OutboxEmail, OutboxEvent
from app.db.session import Database
from app.events import Events
from app.web.observability import Metrics

log = logging.getLogger("loketflow")

Endpoint = Callable[[Request], Awaitable[Response]]


async def healthz(request: Request) -> JSONResponse:
    """The process is up (liveness)."""
    return JSONResponse({"status": "ok"})


def readyz(db: Database, events: Events) -> Endpoint:
    async def readyz(request: Request) -> JSONResponse:
        """The process can serve: the database answers and the broker connection stands."""
        checks = {"database": "ok", "broker": "ok" if events.hub.broker_ok else "down"}
        try:
            async with db.reader() as session:
                await asyncio.wait_for(session.execute(text("SELECT 1")), 3)
        except Exception:
            checks["database"] = "down"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", **checks},
            status_code=200 if ready else 503,
        )

    return readyz


def metrics_endpoint(db: Database, metrics: Metrics) -> Endpoint:
    async def metrics_endpoint(request: Request) -> Response:
        try:
            async with db.reader() as session:
                emails = await session.scalar(
                    select(func.count())
                    .select_from(OutboxEmail)
                    .where(OutboxEmail.status == EmailStatus.PENDING)
                )
                unpublished = await session.scalar(
                    select(func.count()).select_from(OutboxEvent).where(OutboxEvent.seq.is_(None))
                )
            metrics.outbox.labels("email").set(emails)
            metrics.outbox.labels("event").set(unpublished)
        except Exception:
            log.warning("metrics: the outbox backlog could not be read")
        body, media = metrics.render()
        return Response(body, media_type=media)

    return metrics_endpoint
