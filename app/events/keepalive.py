"""graphql-transport-ws with keep-alive: the server pings every `ws_ping_seconds`; a connection
silent (no pong, no message at all) for `SILENT_PINGS` of those intervals is closed (4408), so
that dead clients do not keep subscriptions (and their queues) alive. A live client thus has at
least two intervals to answer a ping, however busy the server (or the client) is: one interval
was too tight with client and server on one busy event loop. Strawberry pings only on the
legacy protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)

# Closed when nothing was heard for this many ping intervals (pings are sent while one waits).
SILENT_PINGS = 3


class KeepAliveHandler(BaseGraphQLTransportWSHandler):
    ping_seconds = 20.0  # set per server from the settings (a subclass per app)

    async def handle(self) -> None:
        self._heard = time.monotonic()
        pinger = asyncio.create_task(self._ping())
        try:
            await super().handle()
        finally:
            pinger.cancel()
            with contextlib.suppress(BaseException):
                await pinger

    async def handle_message(self, message) -> None:
        self._heard = time.monotonic()
        await super().handle_message(message)

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(self.ping_seconds)
            if time.monotonic() - self._heard > SILENT_PINGS * self.ping_seconds:
                await self.websocket.close(code=4408, reason="No answer to ping")
                return
            if self.connection_acknowledged:
                await self.send_message({"type": "ping"})
