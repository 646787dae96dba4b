"""The hub of one process: published events in, to every subscription of this process out.

- One broker subscription per process (`broadcaster`, LOKETFLOW_BROADCAST_URL), however many
  GraphQL subscriptions there are; events published here go to local subscribers at once.
- Events arrive in `seq` order without gaps: a message that skips numbers, or a broker that was
  silent while the database moved on (checked every `events_check_seconds`), makes the hub read
  the missing events from the database.
- The broker connection counts (`broker_ok`, /readyz) once our own heartbeat came back through
  it and what was published before was read from the database. A lost connection is noticed at
  once (the backend says so, app/events/broker.py), by a publish that fails (once per loss, not
  per event) or by a heartbeat that does not come back; the hub connects anew (while that
  fails, again every `broker_timeout_seconds`, or `events_check_seconds` if shorter) and
  reads what was published meanwhile from the database: nothing is missed. While the broker is
  down, every process still finds every event in the database, only later.
- Each subscription has a bounded queue. One that falls too far behind loses its backlog and is
  told to resync, so a slow client cannot make the server's memory grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

from sqlalchemy import func, select

from app.db import models as m
from app.db.session import Database
from app.domain.events import Event
from app.events.broker import BrokerConnection
from app.events.publisher import to_event
from app.settings import Settings

log = logging.getLogger("loketflow.events")

# PostgreSQL NOTIFY carries at most 8000 bytes: larger batches travel as "read from seq N".
MAX_MESSAGE = 7000


class Listener:
    """One subscription's inbox."""

    def __init__(self, size: int):
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=size)
        self.overflowed = False
        self.wakeup = asyncio.Event()

    def offer(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
        self.wakeup.set()

    async def next(self) -> Event | None:
        """The next event, or None when the backlog was dropped (the caller must resync)."""
        while True:
            if self.overflowed:
                self.overflowed = False
                while not self.queue.empty():
                    self.queue.get_nowait()
                return None
            if not self.queue.empty():
                return self.queue.get_nowait()
            self.wakeup.clear()
            await self.wakeup.wait()


class EventHub:
    def __init__(self, db: Database, settings: Settings):
        self.db, self.settings = db, settings
        self.channel = settings.broadcast_channel
        self.last_seq = 0
        self.listeners: set[Listener] = set()
        # True once a heartbeat came back through a fresh broker connection; False as soon
        # as that connection is known to be lost.
        self.broker_ok = False
        self._broker: BrokerConnection | None = None  # the current broker connection
        self._catching_up = asyncio.Lock()
        self._wake_watchdog = asyncio.Event()
        # A failed publish has woken the watchdog since its last verdict: further failures
        # are the same news (see `published`).
        self._publish_failed = False
        self._tasks: list[asyncio.Task] = []

    # --- subscriptions ---------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def listen(self, size: int | None = None) -> AsyncIterator[Listener]:
        """A queue of every event from now on (`size` events at most; then it resyncs)."""
        listener = Listener(size or self.settings.subscriber_queue_size)
        self.listeners.add(listener)
        try:
            yield listener
        finally:
            self.listeners.discard(listener)

    async def replay(self, after: int, limit: int) -> list[Event]:
        """Published events after `after`, oldest first, at most `limit`."""
        async with self.db.reader() as session:
            rows = await session.scalars(
                select(m.OutboxEvent)
                .where(m.OutboxEvent.seq > after)
                .order_by(m.OutboxEvent.seq)
                .limit(limit)
            )
            return [to_event(r) for r in rows]

    def _dispatch(self, events: list[Event]) -> None:
        for event in events:
            if event.seq != self.last_seq + 1:
                continue  # a duplicate (already delivered) or a gap (the caller catches up)
            self.last_seq = event.seq
            for listener in list(self.listeners):
                listener.offer(event)

    async def _receive(self, events: list[Event], up_to: int) -> None:
        """Deliver in order; whatever is missing before them is read from the database."""
        async with self._catching_up:
            events = sorted((e for e in events if e.seq > self.last_seq), key=lambda e: e.seq)
            if (events and events[0].seq != self.last_seq + 1) or up_to > self.last_seq + len(
                events
            ):
                await self._catch_up()
            else:
                self._dispatch(events)

    async def _catch_up(self) -> None:
        while True:
            missed = await self.replay(self.last_seq, 1000)
            if not missed:
                return
            self._dispatch(missed)

    # --- in from the publisher, out to the broker ------------------------------------------

    async def published(self, events: list[Event]) -> None:
        """Events just numbered in this process: to local subscribers now, then to the others."""
        await self._receive(events, events[-1].seq)
        message = json.dumps({"events": [e.to_json() for e in events]}, separators=(",", ":"))
        if len(message.encode()) > MAX_MESSAGE:
            message = json.dumps({"upTo": events[-1].seq})
        try:
            if self._broker is None:
                raise ConnectionError("no broker connection")
            await self._broker.publish(message)
        except Exception as error:  # the others find the events in the database
            log.warning(
                "events %s..%s not sent to the broker: %s", events[0].seq, events[-1].seq, error
            )
            # Is the connection still there? Asked once per loss: while the broker is known to
            # be down (or the watchdog is already checking), the watchdog retries at its own
            # pace (`_interval`); waking it on every failed publish made each process
            # reconnect as often as events came, many times a second.
            if self.broker_ok and not self._publish_failed:
                self._publish_failed = True
                self._wake_watchdog.set()

    async def _on_message(self, text: str) -> None:
        data = json.loads(text)
        events = [Event.from_json(e) for e in data.get("events", [])]
        await self._receive(events, max([e.seq for e in events] + [data.get("upTo", 0)]))

    # --- the broker connection -------------------------------------------------------------

    async def _connect(self) -> None:
        """A new broker connection, subscribed, and our own heartbeat back through it
        (app/events/broker.py): nothing published from now on can be missed. The caller then
        reads what was published before from the database, and only then sets `broker_ok`."""
        connection = BrokerConnection(
            self.settings.broadcast_url,
            self.channel,
            self.settings.broker_timeout_seconds,
            self._on_message,
            lambda: self._lost(connection),
        )
        self._broker = connection
        try:
            await connection.open()
        except BaseException:
            self._broker = None
            raise

    def _lost(self, connection: BrokerConnection) -> None:
        """The broker connection `connection` dropped (our own disconnects are not news)."""
        if connection is self._broker:
            self.broker_ok = False
            self._wake_watchdog.set()

    async def _disconnect(self) -> None:
        self.broker_ok = False
        broker, self._broker = self._broker, None
        if broker is not None:
            await broker.close()

    async def _heartbeat(self) -> bool:
        return self._broker is not None and await self._broker.heartbeat()

    async def check(self) -> None:
        """One round of the watchdog: the broker answers (else connect anew), and nothing
        published was missed (else read it from the database)."""
        connected = await self._heartbeat()
        if not connected:
            if self._broker is not None:  # once per loss; then only the retries
                log.warning("event hub: broker connection lost; connecting again")
            connected = await self._reconnect()
        try:
            await self._check_database()
        finally:
            self._ready_if(connected)

    async def _reconnect(self) -> bool:
        await self._disconnect()
        try:
            await self._connect()
            return True
        except Exception as error:
            log.warning("event hub: broker not reachable (%s); retrying", error)
            return False

    def _ready_if(self, connected: bool) -> None:
        self.broker_ok = connected and self._broker is not None and not self._broker.lost
        self._publish_failed = False  # the watchdog's verdict: the next failure is news again

    async def _check_database(self) -> None:
        async with self.db.reader() as session:
            top = await session.scalar(select(func.max(m.OutboxEvent.seq))) or 0
        if top > self.last_seq:
            async with self._catching_up:
                await self._catch_up()

    def _interval(self) -> float:
        """Every `events_check_seconds`; while the broker is down, also at least every
        `broker_timeout_seconds`, so that it is used again soon after it is back."""
        if self.broker_ok:
            return self.settings.events_check_seconds
        return min(self.settings.events_check_seconds, self.settings.broker_timeout_seconds)

    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):  # a lost connection wakes us at once
                await asyncio.wait_for(self._wake_watchdog.wait(), self._interval())
            self._wake_watchdog.clear()
            try:
                await self.check()
            except Exception:
                log.exception("event hub: a check failed")

    async def start(self) -> None:
        async with self.db.reader() as session:
            self.last_seq = await session.scalar(select(func.max(m.OutboxEvent.seq))) or 0
        try:
            await self._connect()
            connected = True
        except Exception as error:  # the watchdog keeps trying; the database still serves
            log.warning("event hub: broker not reachable at start (%s)", error)
            connected = False
        try:  # published by others before we were subscribed
            await self._check_database()
        except Exception:
            log.exception("event hub: the first check of the database failed")
        self._ready_if(connected)
        self._tasks.append(asyncio.create_task(self._watch(), name="loketflow-event-watch"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:  # a read cut off mid-way may take a moment to unwind; never hang
            await asyncio.wait(self._tasks, timeout=2)
        self._tasks.clear()
        await self._disconnect()
