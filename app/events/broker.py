"""The broker connection of one process: `broadcaster`, with its Redis and PostgreSQL backends
made to say when they are subscribed and when their connection is gone.

- `subscribe` returns once the broker has confirmed the subscription, so that a message
  published after it cannot be missed.
- A lost connection calls `on_lost` at once (the hub then reconnects and reads what it missed
  from the database), rather than waiting for a heartbeat to time out. redis-py's own silent
  reconnection of the listening connection is switched off: whatever was published while it
  reconnected would be lost unnoticed, and the hub's reconnection catches up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

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
