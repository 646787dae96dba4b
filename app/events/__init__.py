"""Live updates: the event outbox published in commit order (`publisher`), one broker connection
and fan-out per process (`hub`), and the subscriptions that follow it (`follow`)."""

from __future__ import annotations

from app.db.session import Database
from app.events.hub import EventHub
from app.events.publisher import OutboxPublisher
from app.settings import Settings


class Events:
    """What a server process runs for live updates."""

    def __init__(self, db: Database, settings: Settings):
        self.hub = EventHub(db, settings)
        self.publisher = OutboxPublisher(db, settings, self.hub)

    def wake(self) -> None:
        self.publisher.wake()

    async def start(self) -> None:
        await self.hub.start()
        self.publisher.start()

    async def stop(self) -> None:
        await self.publisher.stop()
        await self.hub.stop()
