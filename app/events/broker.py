"""The broker connection of one process: `broadcaster`, with its Redis and PostgreSQL backends
made to say when they are subscribed and when their connection is gone, and `BrokerConnection`:
one subscribed connection with its own heartbeat (the hub, app/events/hub.py, decides when to
make a new one and what to read from the database meanwhile).

- `subscribe` returns once the broker has confirmed the subscription, so that a message
  published after it cannot be missed.
- A lost connection calls `on_lost` at once (the hub then reconnects and reads what it missed
  from the database), rather than waiting for a heartbeat to time out. redis-py's own silent
  reconnection of the listening connection is switched off: whatever was published while it
  reconnected would be lost unnoticed, and the hub's reconnection catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable

from broadcaster import Broadcast
from broadcaster._backends.postgres import PostgresBackend
from broadcaster._backends.redis import RedisBackend
from broadcaster._base import Event as Message
from redis import asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

log = logging.getLogger("loketflow.events")


def new_broadcast(url: str, on_lost: Callable[[], None] = lambda: None) -> Broadcast:
    """A `Broadcast` for `url` (not connected yet); `on_lost` is called if its connection
    drops. memory:// never drops; other schemes are broadcaster's own backends."""
    if url.startswith(("redis://", "rediss://")):
        return Broadcast(backend=_RedisBackend(url, on_lost))
    if url.startswith(("postgres://", "postgresql://")):
        return Broadcast(backend=_PostgresBackend(url, on_lost))
    return Broadcast(url)


class _RedisBackend(RedisBackend):
    """broadcaster 0.3.1's Redis backend wakes its listener before redis-py has recorded the
    channel (`_ready.set()` before `await pubsub.subscribe()`): the listener finds no channel,
    stops, and never wakes again, so nothing is ever received. Here: subscribe, wake the
    listener, and return once Redis confirmed the SUBSCRIBE (redis-py only sends it)."""

    def __init__(self, url: str, on_lost: Callable[[], None]):
        super().__init__(url)
        self._listening = redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0))
        self._pubsub = self._listening.pubsub()
        self._subscribed = asyncio.Event()
        self._on_lost = on_lost

    async def subscribe(self, channel: str) -> None:
        await self._pubsub.subscribe(channel)
        self._ready.set()
        await self._subscribed.wait()

    async def disconnect(self) -> None:
        try:
            await super().disconnect()
        finally:
            await self._listening.aclose()

    async def _pubsub_listener(self) -> None:
        try:
            await self._ready.wait()
            async for message in self._pubsub.listen():
                if message["type"] == "subscribe":
                    self._subscribed.set()
                elif message["type"] == "message":
                    channel, text = message["channel"].decode(), message["data"].decode()
                    await self._queue.put(Message(channel=channel, message=text))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("event hub: the Redis connection was lost: %s", error)
        self._on_lost()  # the listener stopped: nothing more will arrive on this connection


class _PostgresBackend(PostgresBackend):
    """LISTEN/NOTIFY on one asyncpg connection (`add_listener` returns once LISTEN ran); asyncpg
    tells us when that connection terminates."""

    def __init__(self, url: str, on_lost: Callable[[], None]):
        super().__init__(url)
        self._on_lost = on_lost

    async def connect(self) -> None:
        await super().connect()
        self._conn.add_termination_listener(lambda _connection: self._on_lost())


class BrokerConnection:
    """One connection to the broker, subscribed to `channel`: `publish` sends, every message
    that arrives goes to `on_message` (our own heartbeats excepted), and `on_lost` is called
    once if the connection drops (closing it ourselves is not news). `open` returns only once
    our own heartbeat came back through it: nothing published from then on can be missed."""

    def __init__(
        self,
        url: str,
        channel: str,
        timeout: float,
        on_message: Callable[[str], Awaitable[None]],
        on_lost: Callable[[], None],
    ):
        self.channel, self.timeout = channel, timeout
        self.lost = False
        self._on_message, self._on_lost = on_message, on_lost
        self._broadcast = new_broadcast(url, self._dropped)
        self._listening: asyncio.Task | None = None
        self._heartbeats: dict[str, asyncio.Event] = {}
        self._closed = False

    def _dropped(self) -> None:
        if self.lost or self._closed:  # said once; our own close is not news
            return
        self.lost = True
        self._on_lost()

    async def open(self) -> None:
        try:
            await asyncio.wait_for(self._broadcast.connect(), self.timeout)
        except BaseException:
            # Close what did open (a listener task, a socket): `Broadcast.disconnect` cannot
            # when its `connect` failed half-way.
            self._closed = True
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self._broadcast._backend.disconnect(), self.timeout)
            raise
        try:
            ready = asyncio.Event()
            self._listening = asyncio.create_task(self._listen(ready))
            await asyncio.wait_for(ready.wait(), self.timeout)
            if not await self.heartbeat():
                raise ConnectionError("the heartbeat did not come back through the broker")
        except BaseException:
            await self.close()
            raise

    async def _listen(self, ready: asyncio.Event) -> None:
        async with self._broadcast.subscribe(self.channel) as subscriber:
            ready.set()
            async for message in subscriber:
                try:
                    await self._received(message.message)
                except Exception:
                    log.exception("event hub: a broker message could not be handled")

    async def _received(self, text: str) -> None:
        if text.startswith('{"heartbeat"'):
            if waiter := self._heartbeats.get(json.loads(text)["heartbeat"]):
                waiter.set()
            return
        await self._on_message(text)

    async def publish(self, text: str) -> None:
        await asyncio.wait_for(self._broadcast.publish(self.channel, text), self.timeout)

    async def heartbeat(self) -> bool:
        """Our own message, through the broker and back: is the connection alive both ways?"""
        if self.lost or self._closed or self._listening is None or self._listening.done():
            return False
        token = uuid.uuid4().hex
        waiter = self._heartbeats[token] = asyncio.Event()
        try:
            await self.publish(json.dumps({"heartbeat": token}))
            await asyncio.wait_for(waiter.wait(), self.timeout)
            return True
        except Exception:
            return False
        finally:
            self._heartbeats.pop(token, None)

    async def close(self) -> None:
        self._closed = True
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(BaseException):
                await self._listening
            self._listening = None
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(self._broadcast.disconnect(), self.timeout)
