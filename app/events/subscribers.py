"""The parts of the fan-out (app/events/fanout.py): a subscription (`Subscriber`), a group of
subscriptions that ask the same thing with the same rights (`Group`), and how a frame reaches a
connection."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from graphql.execution import Executor

from app.domain.authz import Principal
from app.events.delivery import Delivery
from app.events.follow import View


@dataclass(eq=False)
class Subscriber:
    group: Group
    delivery: Delivery
    context: Any  # the connection's context (its principal follows the group's)
    handler: Any = None  # the connection's (app/web/websocket.py): closed when its user is blocked
    user_id: int = 0  # counted per user (ws_max_subscriptions_per_user)
    ended: asyncio.Future = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def end(self, error: BaseException) -> None:
        """End the subscription with `error` (sent by strawberry as the operation's error)."""
        self.delivery.closed = True
        if not self.ended.done():
            self.ended.set_exception(error)


@dataclass(eq=False)
class Group:
    key: tuple
    view: View
    principal: Principal
    executor: Executor
    context: Any  # the group's own context: principal, shared reads, a read session on demand
    subscribers: list[Subscriber] = field(default_factory=list)
    rendering: asyncio.Lock = field(default_factory=asyncio.Lock)  # one render at a time

    @property
    def count_key(self) -> tuple[Principal, int | None]:
        return (self.principal, self.view.employer_id)


def text_sender(websocket):
    """Send a text frame on `websocket` (starlette's) with the server's own ASGI send when the
    middleware left it in the scope (app/web/observability.py), else through starlette."""
    send = websocket.scope.get("loketflow.server_send")
    if send is None:
        return websocket.send_text

    def send_text(text: str):
        return send({"type": "websocket.send", "text": text})

    return send_text


_signing_out: set[asyncio.Task] = set()


def sign_out_soon(handler) -> None:
    from app.web.websocket import BLOCKED

    task = asyncio.ensure_future(handler.sign_out(BLOCKED))
    _signing_out.add(task)
    task.add_done_callback(_signing_out.discard)
