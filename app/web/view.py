"""The GraphQL view: GraphQL over HTTP and the WebSocket on /graphql, with sign-in for both.

Strawberry's ASGI view, with the service's own answers: a subscription over HTTP is refused with
WEBSOCKET_REQUIRED (subscriptions run over WebSocket only), a WebSocket from an origin outside
LOKETFLOW_CORS_ORIGINS is closed with 1008 and a reason, GraphiQL is the service's own page
(app/web/graphiql.py), and each request's context holds the signed-in principal and what the
process runs in the background (app/server.py wires those in).
"""

from __future__ import annotations

import datetime as dt

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from app.db.principals import load_principal
from app.db.session import Database
from app.domain.authz import Principal
from app.domain.errors import AccessError, Unauthenticated
from app.events import Events
from app.schema import schema
from app.schema.context import Context
from app.settings import Settings
from app.web.auth import TokenVerifier
from app.web.graphiql import graphiql_page
from app.web.http import SUBSCRIPTION_OVER_HTTP, allowed_origins
from app.web.observability import Metrics
from app.web.ratelimit import limiter_for
from app.web.websocket import (
    BLOCKED,
    NOT_BEARER,
    ORIGIN_NOT_ALLOWED,
    ORIGIN_REFUSED,
    ConnectionHandler,
    Connections,
    SignInRefused,
    refusal,
)
from app.workers.collective import CollectiveWorker
from app.workers.exports import ExportWorker


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
            # File uploads (importEmployees): app/web/http.py takes multipart/form-data only
            # with a bearer token in the Authorization header (CSRF), and limits its size.
            multipart_uploads_enabled=True,
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
        return graphiql_page()  # served with its assets by the service itself (app/web/graphiql.py)

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

        A bad token closes the connection at once (4403, the reason says why: app/web/websocket.py);
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
        self.connections.open(principal.user_id)  # or TooManyConnections (app/web/websocket.py)
        context.connection_user_id = principal.user_id
        context.principal, context.auth_error = principal, None
        context.session_expires_at = expires  # app/web/websocket.py closes the connection then
        return None
