"""The Starlette application: GraphQL over HTTP and WebSocket on /graphql, health on /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from sqlalchemy import func, select, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from app.auth import TokenVerifier
from app.collective import CollectiveWorker
from app.db.migrate import pending_revisions
from app.db.models import EmailStatus, OutboxEmail, OutboxEvent
from app.db.principals import load_principal
from app.db.session import Database
from app.domain.authz import Principal
from app.domain.errors import AccessError, Unauthenticated
from app.events import Events
from app.events.collector import freeze_startup, thaw
from app.export.download import download_export
from app.export.worker import ExportWorker
from app.http import GraphQLOverHTTP
from app.mail import OutboxRelay
from app.observability import Metrics, RequestContext
from app.ratelimit import limiter_for
from app.schema import schema
from app.schema.context import Context
from app.settings import ConfigurationError, Settings, get_settings
from app.websocket import ConnectionHandler, Connections

log = logging.getLogger("loketflow")


class LoketflowGraphQL(GraphQL):
    def __init__(self, settings: Settings, db: Database, verifier: TokenVerifier):
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=dt.timedelta(seconds=settings.ws_init_timeout_seconds),
        )
        self.max_subscriptions_per_connection = settings.ws_max_subscriptions
        self.graphql_transport_ws_handler_class = type(
            "Connection", (ConnectionHandler,), {"ping_seconds": settings.ws_ping_seconds}
        )
        self.settings, self.db, self.verifier = settings, db, verifier
        self.connections = Connections(settings)
        self.export_worker: ExportWorker | None = None
        self.events: Events | None = None
        self.collective_worker: CollectiveWorker | None = None
        self.metrics: Metrics | None = None
        self.rate_limiter = limiter_for(settings)

    async def sign_in(
        self, authorization: str | None
    ) -> tuple[Principal | None, AccessError | None, float | None]:
        """The principal behind an Authorization value (and when its token expires), or why
        there is none."""
        try:
            signed = await self.verifier.sign_in(authorization)
        except AccessError as error:
            return None, error, None
        if signed is None:
            return None, None, None
        principal = await self.load(signed[0])
        if principal is None:
            return None, Unauthenticated("Deze gebruiker bestaat niet of is geblokkeerd."), None
        return principal, None, signed[1]

    async def load(self, username: str) -> Principal | None:
        async with self.db.reader() as session:
            return await load_principal(session, username)

    async def get_context(self, request, response) -> Context:
        principal, error, _expires = await self.sign_in(request.headers.get("authorization"))
        return Context(
            settings=self.settings,
            db=self.db,
            principal=principal,
            auth_error=error,
            request=request,
            response=response,
            export_worker=self.export_worker,
            events=self.events,
            collective_worker=self.collective_worker,
            metrics=self.metrics,
            rate_limiter=self.rate_limiter,
        )

    async def on_ws_connect(self, context: Context):
        """WebSocket sign-in: `connection_init` payload `{"Authorization": "Bearer <JWT>"}`.

        A bad token closes the connection (4403) at once; no token gives an anonymous
        connection, on which fields that need a user answer UNAUTHENTICATED.
        """
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is None:
            return None
        if not isinstance(authorization, str):
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        principal, error, expires = await self.sign_in(authorization)
        if error is not None:
            raise ConnectionRejectionError({"code": error.code, "message": error.message})
        self.connections.open(principal.user_id)  # or TooManyConnections (app/websocket.py)
        context.connection_user_id = principal.user_id
        context.principal, context.auth_error = principal, None
        context.session_expires_at = expires  # app/websocket.py closes the connection then
        return None


def server_options(settings: Settings) -> dict:
    """How uvicorn serves the app, wherever it is started (`loketflow serve`, tests, bench)."""
    return {"ws_per_message_deflate": settings.ws_compression}


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    settings.check_for_serving()
    db = Database(settings)
    graphql = LoketflowGraphQL(settings, db, TokenVerifier(settings))
    relay = OutboxRelay(db, settings)  # sends over SMTP, or without LOKETFLOW_SMTP_URL logs
    # Live updates: publish the event outbox, fan events out to the subscriptions.
    events = Events(db, settings, schema if settings.live_sharing else None)
    exports = ExportWorker(db, settings, notify=events.wake)
    collective = CollectiveWorker(db, settings, notify=events.wake)
    graphql.export_worker, graphql.events = exports, events
    graphql.collective_worker = collective
    metrics = Metrics()
    metrics.subscriptions.set_function(events.subscriptions)
    graphql.metrics = metrics

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        if await pending_revisions(db.write_engine):
            await db.dispose()
            raise ConfigurationError(
                "The database schema is not up to date: run `loketflow db upgrade` first."
            )
        await db.optimize()
        await events.start()
        relay.start()
        exports.start()
        collective.start()
        freeze_startup()  # app/events/collector.py
        try:
            yield
        finally:
            await collective.stop()
            await exports.stop()
            await relay.stop()
            await events.stop()
            if graphql.rate_limiter is not None:
                await graphql.rate_limiter.close()
            with contextlib.suppress(Exception):
                await db.optimize()
            await db.dispose()
            thaw()

    async def healthz(request: Request) -> JSONResponse:
        """The process is up (liveness)."""
        return JSONResponse({"status": "ok"})

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

    app = Starlette(
        routes=[
            # GraphQL over HTTP (app/http.py) decides methods, media types and status codes.
            Route("/graphql", GraphQLOverHTTP(graphql, graphiql=not settings.is_production)),
            WebSocketRoute("/graphql", graphql),
            Route("/exports/{token}", download_export(graphql, db), methods=["GET"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
        ],
        middleware=_middleware(settings, metrics),
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.events = events
    app.state.metrics = metrics
    return app


def _middleware(settings: Settings, metrics: Metrics) -> list[Middleware]:
    stack = [Middleware(RequestContext, metrics=metrics, production=settings.is_production)]
    if settings.cors_origins:
        # Browsers elsewhere may call the API only from the configured origins.
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID", "Content-Disposition"],
                max_age=600,
            )
        )
    return stack
