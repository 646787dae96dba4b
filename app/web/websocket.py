"""The graphql-transport-ws connection: a signed-in session held to the same rules as a request,
over its whole life (issue 13).

- The token signs the connection in at `connection_init`; when it expires, the connection is
  closed (4403, reason `UNAUTHENTICATED: token expired`) unless the client renewed it first.
- Renewing: send a `ping` whose payload is `{"Authorization": "Bearer <fresh token>"}` (the
  graphql-transport-ws `ping` may carry a payload); the answer is the usual `pong`. The fresh
  token must name the same user; a bad one closes the connection as at `connection_init`.
- Every operation started on the connection (query, mutation, subscription) signs in afresh,
  as every HTTP request does: a user that was blocked or lost rights since is refused or gets
  its current rights. A live subscription follows its user's rights through the events (app/
  events/fanout.py): revoked rights end it with FORBIDDEN, a blocked user with UNAUTHENTICATED,
  and the connection of a blocked user is closed.
- A refused sign-in closes with 4403 (graphql-transport-ws) and a reason that says why
  (`refusal`): `UNAUTHENTICATED: token expired`, `UNAUTHENTICATED: invalid token`,
  `UNAUTHENTICATED: unknown or blocked user`, `UNAUTHENTICATED: Authorization must be 'Bearer
  <token>'`; an empty reason left browser clients retrying blind (issue 15.2).
- A user holds at most `ws_max_connections_per_user` connections and a process at most
  `ws_max_connections` (4429, reason `TOO_MANY_CONNECTIONS: ...`); live subscriptions per user
  are limited by the fan-out (`TOO_MANY_SUBSCRIPTIONS`).
- A document refused before it runs gets the operation's `error` message (see below), and every
  subscription started here hands its live events to the process's fan-out.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter

import jwt
from graphql import GraphQLError

from app.domain.errors import AccessError
from app.events.follow import CURRENT_OPERATION, LiveOperation
from app.events.keepalive import KeepAliveHandler

# Close codes and reasons a client can act on (README, "WebSocket close codes"). The reasons are for
# programs (a frontend decides on them whether to fetch a fresh token or to sign in again), so
# they are short, fixed English phrases after the error code.
SIGNED_OUT = 4403
TOO_MANY = 4429
EXPIRED = "UNAUTHENTICATED: token expired"
INVALID = "UNAUTHENTICATED: invalid token"
NOT_BEARER = "UNAUTHENTICATED: Authorization must be 'Bearer <token>'"
BLOCKED = "UNAUTHENTICATED: unknown or blocked user"
OTHER_USER = "FORBIDDEN: a renewed token must name the signed-in user"
# A page on an origin outside LOKETFLOW_CORS_ORIGINS (app/web/view.py): 1008, policy violation,
# which graphql-ws reports at once instead of retrying.
ORIGIN_REFUSED = 1008
ORIGIN_NOT_ALLOWED = "FORBIDDEN: origin not allowed (LOKETFLOW_CORS_ORIGINS)"


class SignInRefused(Exception):
    """`connection_init` did not sign in: the connection closes with 4403 and this reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def refusal(authorization: object, error: AccessError) -> str:
    """The close reason for a token the verifier (app/web/auth.py) refused."""
    cause = error.__cause__
    if isinstance(cause, jwt.ExpiredSignatureError):
        return EXPIRED
    if cause is not None:  # a bad signature, issuer, audience, format ...
        return INVALID
    scheme, _, token = (
        authorization.strip().partition(" ") if isinstance(authorization, str) else ("", "", "")
    )
    if scheme.lower() != "bearer" or not token.strip():
        return NOT_BEARER
    return INVALID  # well-formed, but it names no user


class TooManyConnections(Exception):
    """The user, or the process, holds as many connections as it may (issue 13.2)."""


class Connections:
    """The signed-in WebSocket connections of this process, per user."""

    def __init__(self, settings):
        self.settings = settings
        self.per_user: Counter[int] = Counter()

    def open(self, user_id: int) -> None:
        if sum(self.per_user.values()) >= self.settings.ws_max_connections:
            raise TooManyConnections("TOO_MANY_CONNECTIONS: this server is full; try another")
        if self.per_user[user_id] >= self.settings.ws_max_connections_per_user:
            raise TooManyConnections(
                f"TOO_MANY_CONNECTIONS: at most {self.settings.ws_max_connections_per_user} "
                "connections per user"
            )
        self.per_user[user_id] += 1

    def close(self, user_id: int) -> None:
        self.per_user[user_id] -= 1
        if self.per_user[user_id] <= 0:
            del self.per_user[user_id]


class ConnectionHandler(KeepAliveHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._expiry_watch: asyncio.Task | None = None

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            if self._expiry_watch is not None:
                self._expiry_watch.cancel()
            if self.context.connection_user_id is not None:
                self.view.connections.close(self.context.connection_user_id)

    # --- signing in, renewing, expiring ----------------------------------------------------

    async def handle_connection_init(self, message) -> None:
        try:
            await super().handle_connection_init(message)
        except SignInRefused as refused:
            await self.websocket.close(code=SIGNED_OUT, reason=refused.reason)
            return
        except TooManyConnections as full:
            await self.websocket.close(code=TOO_MANY, reason=str(full))
            return
        if self.connection_acknowledged and self.context.session_expires_at is not None:
            self._expiry_watch = asyncio.create_task(self._close_when_expired())

    async def _close_when_expired(self) -> None:
        while True:
            left = self.context.session_expires_at - time.time()
            if left <= 0:
                await self.sign_out(EXPIRED)
                return
            await asyncio.sleep(min(left, 3600))  # renewed meanwhile: look again

    async def sign_out(self, reason: str) -> None:
        """End the connection: its user may no longer use it."""
        with contextlib.suppress(Exception):
            await self.websocket.close(code=SIGNED_OUT, reason=reason)

    async def handle_ping(self, message) -> None:
        payload = message.get("payload")
        renewing = isinstance(payload, dict) and (
            "Authorization" in payload or "authorization" in payload
        )
        if renewing and not await self._renew(
            payload.get("Authorization", payload.get("authorization"))
        ):
            return
        await super().handle_ping(message)

    async def _renew(self, authorization) -> bool:
        view, ctx = self.view, self.context
        if not isinstance(authorization, str):
            await self.sign_out(NOT_BEARER)
            return False
        try:
            signed = await view.verifier.sign_in(authorization)
        except AccessError as error:
            await self.sign_out(refusal(authorization, error))
            return False
        if signed is None or ctx.principal is None or signed[0] != ctx.principal.username:
            await self.sign_out(OTHER_USER)
            return False
        ctx.session_expires_at = signed[1]
        return True

    # --- operations ------------------------------------------------------------------------

    async def handle_subscribe(self, message) -> None:
        signed_in = self.connection_acknowledged and self.context.principal is not None
        if signed_in and not await self._still_signed_in():
            return
        await super().handle_subscribe(message)

    async def _still_signed_in(self) -> bool:
        """Sign the connection's user in again for a new operation, as a request would be."""
        ctx = self.context
        if ctx.session_expires_at is not None and time.time() >= ctx.session_expires_at:
            await self.sign_out(EXPIRED)
            return False
        principal = await self.view.load(ctx.principal.username)
        if principal is None:
            await self.sign_out(BLOCKED)
            return False
        ctx.principal = principal
        return True

    async def run_operation(self, operation) -> None:
        # Subscriptions started here hand their live events to the process's fan-out.
        token = CURRENT_OPERATION.set(LiveOperation(self, operation))
        try:
            await super().run_operation(operation)
        finally:
            CURRENT_OPERATION.reset(token)

    async def _send_result_stream(self, operation, result_source) -> None:
        """A document refused before it runs (app/schema/limits.py raises from `on_parse` or
        `on_validate`) gets the operation's `error` message, as a validation error does: over
        HTTP strawberry turns the raise into `errors`, but over WebSocket it escapes the
        stream, is logged as a crash and the client sees only `complete`."""
        try:
            await super()._send_result_stream(operation, result_source)
        except GraphQLError as error:
            await operation.send_initial_errors([error])
