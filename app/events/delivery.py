"""Sending one subscription's frames without making anyone else wait.

The fan-out (app/events/fanout.py) hands each subscriber the payload its group rendered; here it
becomes the graphql-transport-ws `next` frame of that subscriber's operation and is written to
its WebSocket. A write to a connection whose buffer has room completes at once, so it runs
inline, in the fan-out's own loop, without a task per frame (`run_eagerly`). A connection that
is backed up (a slow client: the transport paused writing) gets its frames queued instead, and
a task of its own drains them; the fan-out never waits for it. A backlog that outgrows
`limit` is dropped and replaced by one RESYNC (the client reloads), so a slow client cannot
make the server's memory grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import types
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

log = logging.getLogger("loketflow.events")


def run_eagerly(coro: Coroutine[Any, Any, Any]) -> asyncio.Task | None:
    """Run `coro` now, in the caller, until it first has to wait; only then does the rest go on
    in a task (returned). None when it finished without waiting, the common case. (Python
    3.12's eager task factory does this for every task; this is it for one coroutine.)"""
    try:
        waiting_on = coro.send(None)
    except StopIteration:
        return None

    async def rest() -> Any:
        return await _resume(coro, waiting_on)

    return asyncio.ensure_future(rest())


@types.coroutine
def _resume(coro, waiting_on):
    """Go on with a coroutine that already ran its first step, as `await` would have."""
    while True:
        try:
            sent = yield waiting_on
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as error:
            try:
                waiting_on = coro.throw(error)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                waiting_on = coro.send(sent)
            except StopIteration as stop:
                return stop.value


class Delivery:
    """One subscription's frames: `next` messages of operation `operation_id`, in order.

    `floor`: events up to this number are not for this subscription (they came before it, or
    its catch-up already sent them). While `held`, frames wait in the backlog (the catch-up
    runs first); `release` sends them.
    """

    def __init__(
        self,
        send_text: Callable[[str], Coroutine[Any, Any, None]],
        operation_id: str,
        *,
        floor: int,
        held: bool,
        limit: int,
        is_open: Callable[[], bool],
        resync: Callable[[], Awaitable[tuple[int, str] | None]],
    ):
        self._send_text = send_text
        self._prefix = '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":'
        self.floor = floor
        self.held = held
        self._limit = limit
        self._is_open = is_open
        self._resync = resync  # (seq, payload) of a RESYNC for this subscription, rendered now
        self._backlog: deque[tuple[int, str]] = deque()
        self._overflowed = False
        self._draining: asyncio.Task | None = None
        self.closed = False

    def offer(self, seq: int, payload: str) -> None:
        """The rendered payload of event `seq`: sent now, or queued behind what waits."""
        if self.closed or seq <= self.floor:
            return
        if self.held or self._draining is not None:
            self._queue(seq, payload)
            return
        self.floor = seq
        self._write(payload)

    def _queue(self, seq: int, payload: str) -> None:
        if self._overflowed:
            return  # the RESYNC that replaces the backlog covers this event too
        if len(self._backlog) >= self._limit:
            self._backlog.clear()
            self._overflowed = True
            return
        self._backlog.append((seq, payload))

    def _write(self, payload: str) -> None:
        if not self._is_open():  # completed by the client or the server: nothing more
            self.closed = True
            return
        try:
            task = run_eagerly(self._send_text(self._prefix + payload + "}"))
        except Exception:  # the connection is gone; its handler cleans up
            self.closed = True
            return
        if task is not None:  # the client is slow: what comes next waits behind this frame
            self._draining = asyncio.ensure_future(self._drain(task))

    def release(self, floor: int) -> None:
        """The catch-up is done, up to event `floor`: what waited goes out, in order."""
        self.floor = max(self.floor, floor)
        self.held = False
        if self._draining is None and (self._backlog or self._overflowed):
            self._draining = asyncio.ensure_future(self._drain(None))

    async def _drain(self, sending: asyncio.Task | None) -> None:
        try:
            if sending is not None:
                await sending
            while not self.closed and (self._backlog or self._overflowed):
                if self._overflowed:
                    self._overflowed = False
                    self._backlog.clear()
                    resync = await self._resync()
                    if resync is None:
                        continue
                    seq, payload = resync
                else:
                    seq, payload = self._backlog.popleft()
                    if seq <= self.floor:
                        continue
                if not self._is_open():
                    break
                self.floor = max(self.floor, seq)
                await self._send_text(self._prefix + payload + "}")
        except Exception as error:  # a connection that went away mid-way
            log.debug("subscription delivery ended: %s", error)
            self.closed = True
        finally:
            self._draining = None

    async def close(self) -> None:
        """Nothing more goes out (the subscription ended); a frame being written finishes."""
        self.closed = True
        self._backlog.clear()
        if self._draining is not None:
            self._draining.cancel()
            with contextlib.suppress(BaseException):
                await self._draining
