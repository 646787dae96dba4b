"""The Starlette application: GraphQL over HTTP and WebSocket on /graphql, health on /healthz.

Browser frontends on the origins in LOKETFLOW_CORS_ORIGINS may use both: HTTP through CORS,
the WebSocket through the same list (browsers apply no CORS to a WebSocket handshake, so the
view checks its `Origin`). In development GraphiQL is at /graphql, with its assets at /static.
The transport itself is in app/web; the background workers it starts are in app/workers.
"""

from __future__ import annotations

import contextlib

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

from app.db.migrate import pending_revisions
from app.db.session import Database
from app.events import Events
from app.events.collector import freeze_startup, thaw
from app.export.download import download_export
from app.schema import schema
from app.settings import ConfigurationError, Settings, get_settings
from app.web.auth import TokenVerifier
from app.web.graphiql import graphiql_assets
from app.web.http import CrossOrigin, GraphQLOverHTTP, allowed_origins
from app.web.observability import Metrics, RequestContext
from app.web.probes import healthz, metrics_endpoint, readyz
from app.web.proxies import uvicorn_options
from app.web.templates import download_template
from app.web.view import LoketflowGraphQL
from app.workers.collective import CollectiveWorker
from app.workers.exports import ExportWorker
from app.workers.mail import OutboxRelay


def server_options(settings: Settings) -> dict:
    """How uvicorn serves the app, wherever it is started (`loketflow serve`, tests, bench):
    compression, and X-Forwarded-For only from the trusted proxies, as the rate limits read it
    (app/web/proxies.py; never uvicorn's own default of 127.0.0.1 or FORWARDED_ALLOW_IPS)."""
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

    app = Starlette(
        routes=[
            # GraphQL over HTTP (app/web/http.py) decides methods, media types and status codes.
            Route("/graphql", GraphQLOverHTTP(graphql, graphiql=not settings.is_production)),
            WebSocketRoute("/graphql", graphql),
            *([] if settings.is_production else [graphiql_assets()]),
            Route("/exports/{token}", download_export(graphql, db), methods=["GET"]),
            Route("/templates/employees.xlsx", download_template(graphql), methods=["GET"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz(db, events)),
            Route("/metrics", metrics_endpoint(db, metrics)),
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
        # Browsers elsewhere may call the API only from the configured origins (app/web/http.py).
        Middleware(
            CrossOrigin,
            allow_origins=allowed_origins(settings),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Content-Disposition"],
            max_age=600,
        ),
    ]
