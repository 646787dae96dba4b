"""`TaskCentreEvent.openCount` without a query per subscriber and event.

Each (principal, employer filter) that a task-centre subscription of this process follows has
one count: read once, then kept up to date from what each event opens and closes for that
principal (`open_task_delta`: the event names who may act on the step that opened and on the
step that closed, by the same rules as the task-centre query). It is read again when the
principal's view must reload anyway (its rights changed, steps at the employer changed hands:
RESYNC).

The read is exact with respect to the event stream: one statement (one snapshot on SQLite and
on PostgreSQL alike) gives the count, the highest published event number and the outbox rows
not yet numbered. Every change the count includes is either published (its event number is at
most that highest one) or one of those rows (numbered later); both are then skipped when their
events arrive, and every later event is applied.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy import String, cast, func, select

from app.db import models as m
from app.db.queries import task_centre as tq
from app.domain.authz import Principal
from app.domain.events import Event, open_task_delta

Key = tuple[Principal, int | None]


@dataclass
class _Count:
    value: int
    read_at_seq: int  # the count includes every event up to this number ...
    included: frozenset[int] = field(default_factory=frozenset)  # ... and these outbox rows
    users: int = 1  # groups that show it


class OpenCounts:
    def __init__(self, db):
        self.db = db
        self._counts: dict[Key, _Count] = {}
        # Many subscriptions start at once after a restart: their reads take turns rather than
        # each taking a pooled connection (on SQLite each holds its own page cache).
        self._reading = asyncio.Semaphore(2)

    async def read(self, key: Key) -> _Count:
        principal, employer_id = key
        tasks = tq.tasks(principal, tq.TaskFilter(employer_id=employer_id)).subquery()
        unnumbered = select(m.OutboxEvent.id).where(m.OutboxEvent.seq.is_(None)).subquery()
        ids = (
            func.group_concat(unnumbered.c.id)
            if self.db.is_sqlite
            else func.string_agg(cast(unnumbered.c.id, String), ",")
        )
        stmt = select(
            select(func.count()).select_from(tasks).scalar_subquery(),
            select(func.coalesce(func.max(m.OutboxEvent.seq), 0)).scalar_subquery(),
            select(ids).scalar_subquery(),
        )
        async with self._reading, self.db.reader() as session:
            value, top, pending = (await session.execute(stmt)).one()
        included = frozenset(int(i) for i in pending.split(",")) if pending else frozenset()
        return _Count(value=value, read_at_seq=top, included=included)

    async def follow(self, key: Key) -> None:
        """Start keeping the count of `key` (read now unless another group keeps it)."""
        if (count := self._counts.get(key)) is not None:
            count.users += 1
            return
        fresh = await self.read(key)
        if (count := self._counts.get(key)) is not None:  # read meanwhile by another group
            count.users += 1
            return
        self._counts[key] = fresh

    def unfollow(self, key: Key) -> None:
        count = self._counts.get(key)
        if count is not None:
            count.users -= 1
            if count.users <= 0:
                del self._counts[key]

    async def reread(self, key: Key) -> None:
        if (count := self._counts.get(key)) is not None:
            fresh = await self.read(key)
            count.value, count.read_at_seq, count.included = (
                fresh.value,
                fresh.read_at_seq,
                fresh.included,
            )

    def apply(self, event: Event) -> None:
        """Every kept count moves with `event` (once per event, before it is rendered)."""
        change = event.instance_change
        if change is None or not (change.opened_for or change.closed_for):
            return
        for (principal, employer_id), count in self._counts.items():
            if event.seq <= count.read_at_seq or event.id in count.included:
                continue  # the count was read after this change
            count.value += open_task_delta(principal, event, employer_id)

    def value(self, key: Key) -> int | None:
        count = self._counts.get(key)
        return None if count is None else count.value
