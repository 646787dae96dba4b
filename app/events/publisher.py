"""The publisher of the event outbox: numbers committed events and hands them on.

Mutations write `OutboxEvent` rows in their own transaction, so an event exists only for a change
that committed. The publisher then, in a transaction of its own and one publisher at a time
across every process (an advisory lock on PostgreSQL; SQLite's write lock), gives each unnumbered
event the next `seq`, in the order the events were written, and commits. Only then are the events
handed to the hub (this process's subscribers at once) and to the broker (the other processes).
Whoever sees event N can therefore find every event before it in the database: catch-up and
gap detection rest on that.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, func, select, text, update

from app.db import models as m
from app.db.session import Database
from app.domain.events import Event, payload_from_json
from app.settings import Settings
from app.workers.base import PollingWorker

log = logging.getLogger("loketflow.events")

BATCH = 500
STOP_SECONDS = 3.0
# Any number both PostgreSQL sides agree on: the lock that makes one publisher number at a time.
ADVISORY_LOCK = 7_201_345


def to_event(row, seq: int | None = None) -> Event:
    """The event of an outbox row (an `OutboxEvent` or a row of its table); `seq` when the row
    was numbered in this round."""
    return Event(
        seq=row.seq if seq is None else seq,
        kind=row.kind,
        at=row.at,
        employer_id=row.employer_id,
        department_id=row.department_id,
        instance_id=row.instance_id,
        user_id=row.user_id,
        payload=payload_from_json(row.kind, row.payload),
        id=row.id,
    )


class OutboxPublisher(PollingWorker):
    """Stopping finishes the round in progress (never cut a numbering transaction in half),
    publishes what committed last, then stops."""

    name, label, log = "loketflow-event-publisher", "event publisher", log
    finish_seconds, cancel_wait = STOP_SECONDS, None

    def __init__(self, db: Database, settings: Settings, hub):
        super().__init__()
        self.db, self.settings, self.hub = db, settings, hub

    @property
    def poll_seconds(self) -> float:
        return self.settings.events_poll_seconds

    async def _waiting(self) -> bool:
        async with self.db.reader() as session:
            return (
                await session.scalar(
                    select(m.OutboxEvent.id).where(m.OutboxEvent.seq.is_(None)).limit(1)
                )
                is not None
            )

    async def publish_pending(self, woken: bool = False) -> list[Event]:
        """Number what is waiting, commit, then hand it on; returns the events published.
        `woken`: a commit just said it wrote events, so skip the look before writing."""
        if not woken and not await self._waiting():  # polls: a read, no write transaction
            return []
        async with self.db.writer() as session:
            if not self.db.is_sqlite:
                await session.execute(text(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})"))
            # One read: the waiting rows, each with the top number so far (one round trip,
            # not two: this is on the path of every live update), then one UPDATE for all.
            E = m.OutboxEvent
            top_so_far = select(func.max(E.seq)).scalar_subquery()
            rows = (
                await session.execute(
                    select(E.__table__, top_so_far.label("top"))
                    .where(E.seq.is_(None))
                    .order_by(E.id)
                    .limit(BATCH)
                )
            ).all()
            if not rows:
                return []
            top, now = rows[0].top or 0, m.utcnow()
            await session.execute(
                update(E.__table__).where(E.__table__.c.id == bindparam("event_id")),
                [{"event_id": r.id, "seq": top + n, "published_at": now}
                 for n, r in enumerate(rows, start=1)],
            )  # fmt: skip
            events = [to_event(r, top + n) for n, r in enumerate(rows, start=1)]
        if events:
            await self.hub.published(events)
        return events

    async def round(self, woken: bool) -> bool:
        while len(await self.publish_pending(woken)) == BATCH:
            pass
        return False

    async def last_round(self) -> None:
        try:  # stopping: what committed last goes out before we leave
            await self.publish_pending()
        except Exception:
            log.exception("event publisher: the last round before stopping failed")
