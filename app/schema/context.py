"""Per-request context: the principal, one read session, the DataLoaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from app.db.reads import Statement
from app.db.session import Database, Session
from app.domain.authz import Principal
from app.domain.errors import AccessError, Unauthenticated
from app.settings import Settings
from app.web.proxies import client_address


@dataclass
class Context:
    settings: Settings
    db: Database
    principal: Principal | None
    # A bad or expired token: kept, not raised, so that the fields that need a user say why.
    auth_error: AccessError | None = None
    request: Any = None
    response: Any = None
    # The `connection_init` payload of a WebSocket connection (strawberry fills it in), and
    # when its token stops being accepted (epoch seconds; renewed by a ping, app/web/websocket.py).
    connection_params: dict[str, Any] | None = None
    session_expires_at: float | None = None
    connection_user_id: int | None = None  # counted in app/websocket.Connections
    # The background builder of large Excel exports in this process (app/workers/exports.py).
    export_worker: Any = None
    # Live updates in this process (app/events): the hub subscriptions follow, the publisher.
    events: Any = None
    # The runner of collective actions in this process (app/workers/collective.py).
    collective_worker: Any = None
    metrics: Any = None  # app/web/observability.py
    rate_limiter: Any = None  # app/web/ratelimit.py
    # While the fan-out renders an event for a group of subscriptions: the rows read once for
    # every group (app/events/shared_reads.py), each group seeing what its principal may.
    shared_reads: Any = field(default=None, repr=False)
    _session: Session | None = field(default=None, repr=False)
    _loaders: Any = field(default=None, repr=False)
    # Strawberry resolves sibling fields concurrently; an AsyncSession allows one operation at a
    # time. Every read of the request goes through these helpers, which take turns.
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _closed: bool = field(default=False, repr=False)

    @property
    def session(self) -> Session:
        """The request's read session, opened on first use and closed when the request ends."""
        if self._session is None:
            if self._closed:
                # A resolver still running after its operation ended (a sibling failed).
                raise RuntimeError("the request has ended; its read session is closed")
            self._session = self.db.reader()
        return self._session

    async def scalars(self, stmt: Statement) -> list[Any]:
        async with self._lock:
            return list(await self.session.scalars(stmt))

    async def scalar(self, stmt: Statement) -> Any:
        async with self._lock:
            return await self.session.scalar(stmt)

    async def rows(self, stmt: Statement) -> list[Any]:
        async with self._lock:
            return list(await self.session.execute(stmt))

    @property
    def loaders(self):
        if self._loaders is None:
            from app.schema.loaders import Loaders

            self._loaders = Loaders(self)
            if self.shared_reads is not None:
                self.shared_reads.attach(self._loaders, self)
        return self._loaders

    def shared_copy(self, principal: Principal) -> Context:
        """A context of this connection's kind for a group of subscriptions (the fan-out's)."""
        return Context(
            settings=self.settings,
            db=self.db,
            principal=principal,
            request=self.request,
            events=self.events,
            metrics=self.metrics,
            export_worker=self.export_worker,
            collective_worker=self.collective_worker,
        )

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise self.auth_error or Unauthenticated("Log in om dit te gebruiken.")
        return self.principal

    async def after_write(self) -> None:
        """Forget what this request read before a write committed: the read session's snapshot
        (SQLite keeps one per transaction), its identity map and the loaders' caches."""
        async with self._lock:
            if self._session is not None:
                await self._session.close()
                self._session = None
        self._loaders = None

    def wake_publisher(self) -> None:
        """Events committed: have them published now rather than at the next poll."""
        if self.events is not None:
            self.events.wake()

    @property
    def rate_limit_key(self) -> str:
        """Whose budgets an operation spends (app/web/ratelimit.py): the signed-in user's, else
        the client address's, read behind trusted proxies only (app/web/proxies.py)."""
        if self.principal is not None:
            return f"user:{self.principal.user_id}"
        return f"address:{client_address(self.request, self.settings.trusted_proxies)}"

    @property
    def is_websocket(self) -> bool:
        return getattr(self.request, "scope", {}).get("type") == "websocket"

    async def close(self) -> None:
        """End the operation's reads: waits for a query in flight, then closes the session.

        Over HTTP the context dies with its one operation, so later reads are refused. A
        WebSocket connection keeps its context for many operations: each starts afresh, with a
        new session and empty loader caches, so a long-lived connection never serves stale data.
        """
        async with self._lock:
            self._closed = not self.is_websocket
            self._loaders = None
            if self._session is not None:
                await self._session.close()
                self._session = None
