"""The Starlette application: GraphQL over HTTP and WebSocket on /graphql, health on /healthz.

Browser frontends on the origins in LOKETFLOW_CORS_ORIGINS may use both: HTTP through CORS,
the WebSocket through the same list (browsers apply no CORS to a WebSocket handshake, so the
view checks its `Origin`). In development GraphiQL is at /graphql, with its assets at /static.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from graphql import GraphQLError
from sqlalchemy import func, select, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

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
from app.graphiql import graphiql_assets, graphiql_page
from app.http import SUBSCRIPTION_OVER_HTTP, CrossOrigin, GraphQLOverHTTP, allowed_origins
from app.mail import OutboxRelay
from app.observability import Metrics, RequestContext
from app.proxies import uvicorn_options
from app.ratelimit import limiter_for
from app.schema import schema
from app.schema.context import Context
from app.settings import ConfigurationError, Settings, get_settings
from app.websocket import (
    BLOCKED,
    NOT_BEARER,
    ORIGIN_NOT_ALLOWED,
    ORIGIN_REFUSED,
    ConnectionHandler,
    Connections,
    SignInRefused,
    refusal,
)

log = logging.getLogger("loketflow")


class LoketflowGraphQL(GraphQL):
    def __init__(self, settings: Settings, db: Database, verifier: TokenVerifier):
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=dt.timedelta(seconds=settings.ws_init_timeout_seconds),
            # Browsers apply no CORS to WebSocket handshakes: the origins allowed to call the
            # API over HTTP may open a WebSocket too, others are refused (same origin always
            # may; clients without an Origin header are no browsers).
            allowed_origins=allowed_origins(settings),
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

    async def reject_websocket(self, request: WebSocket) -> WebSocket:
        """A handshake from an origin that is not allowed: accepted only to be closed at once
        with 1008 (policy violation) and a reason, before any message is read. Refused at the
        handshake (403) the browser would see a bare 1006, which graphql-ws retries; 1008 it
        reports at once, with the reason."""
        offered = request.scope.get("subprotocols") or []
        chosen = GRAPHQL_TRANSPORT_WS_PROTOCOL if GRAPHQL_TRANSPORT_WS_PROTOCOL in offered else None
        await request.accept(subprotocol=chosen)
        await request.close(code=ORIGIN_REFUSED, reason=ORIGIN_NOT_ALLOWED)
        return request

    async def execute_single(
        self, request, request_adapter, sub_response, context, root_value, request_data
    ) -> ExecutionResult:
        """Strawberry's, but a subscription over HTTP gets WEBSOCKET_REQUIRED: subscriptions run
        over WebSocket only (issue 15.3). Strawberry checks the operation type once the document
        is parsed, so the limits checked while parsing (size, tokens) come first, those checked
        with validation (depth, aliases, cost) do not."""
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as refused:
            if refused.operation_type is OperationType.SUBSCRIPTION:
                error = GraphQLError(
                    SUBSCRIPTION_OVER_HTTP, extensions={"code": "WEBSOCKET_REQUIRED"}
                )
                return ExecutionResult(data=None, errors=[error])
        except (CannotGetOperationTypeError, MissingQueryError):
            pass
        # Strawberry's own answer to a document it cannot run at all (a 400 that says why).
        return await super().execute_single(
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page()  # served with its assets by the service itself (app/graphiql.py)

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

        A bad token closes the connection at once (4403, the reason says why: app/websocket.py);
        no token gives an anonymous connection, on which fields that need a user answer
        UNAUTHENTICATED.
        """
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is None:
            return None
        if not isinstance(authorization, str):
            raise SignInRefused(NOT_BEARER)
        try:
            signed = await self.verifier.sign_in(authorization)
        except AccessError as error:
            raise SignInRefused(refusal(authorization, error)) from error
        if signed is None:  # an empty value: no credentials, as over HTTP
            return None
        username, expires = signed
        principal = await self.load(username)
        if principal is None:
            raise SignInRefused(BLOCKED)
        self.connections.open(principal.user_id)  # or TooManyConnections (app/websocket.py)
        context.connection_user_id = principal.user_id
        context.principal, context.auth_error = principal, None
        context.session_expires_at = expires  # app/websocket.py closes the connection then
        return None


def server_options(settings: Settings) -> dict:
    """How uvicorn serves the app, wherever it is started (`loketflow serve`, tests, bench):
    compression, and X-Forwarded-For only from the trusted proxies, as the rate limits read it
    (app/proxies.py; never uvicorn's own default of 127.0.0.1 or FORWARDED_ALLOW_IPS)."""
    return {"ws_per_message_deflate": settings.ws_compression, **uvicorn_options(settings)}


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
            *([] if settings.is_production else [graphiql_assets()]),
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
    return [
        Middleware(RequestContext, metrics=metrics, production=settings.is_production),
        # Browsers elsewhere may call the API only from the configured origins (app/http.py).
        Middleware(
            CrossOrigin,
            allow_origins=allowed_origins(settings),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Content-Disposition"],
            max_age=600,
        ),
    ]
