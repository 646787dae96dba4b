"""Live updates: the event outbox published in commit order (`publisher`), one broker connection
per process (`hub`), the shared fan-out to WebSocket subscriptions (`fanout`), and what every
subscription does (`follow`)."""

from __future__ import annotations

from app.db.session import Database
from app.events.fanout import Fanout
from app.events.hub import EventHub
from app.events.publisher import OutboxPublisher
from app.settings import Settings


class Events:
    """What a server process runs for live updates."""

    def __init__(self, db: Database, settings: Settings, schema=None):
        self.hub = EventHub(db, settings)
        self.publisher = OutboxPublisher(db, settings, self.hub)
        # WebSocket subscriptions, shared work per event (None: each follows the hub alone).
        self.fanout = Fanout(self.hub, db, settings, schema) if schema is not None else None

    def subscriptions(self) -> int:
        """Live subscriptions in this process: those of the fan-out, and those that follow the
        hub on their own (export progress, subscriptions outside a WebSocket operation)."""
        own = self.fanout.listener if self.fanout is not None else None
        alone = sum(1 for listener in self.hub.listeners if listener is not own)
        return alone + (self.fanout.subscriptions if self.fanout is not None else 0)

    def wake(self) -> None:
        self.publisher.wake()

    async def start(self) -> None:
        await self.hub.start()
        if self.fanout is not None:
            self.fanout.start()
        self.publisher.start()

    async def stop(self) -> None:
        await self.publisher.stop()
        if self.fanout is not None:
            await self.fanout.stop()
        await self.hub.stop()
