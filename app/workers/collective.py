"""The background runner of collective actions and the invitation reminders (one per process).

A started action is claimed with a lease (a process that dies loses it to another), and its
people are handled one at a time, each in a transaction of its own: one failure stops nobody
else, and a takeover resumes where the other left off (handled items stay handled). Reminders
are claimed one by one with a conditional update, so several processes never send one twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import or_, select, update

from app.db import mijnloket
from app.db import models as m
from app.db.session import Database
from app.settings import Settings
from app.workers.base import PollingWorker

log = logging.getLogger("loketflow.collective")


class CollectiveWorker(PollingWorker):
    name, label, log = "loketflow-collective", "collective worker", log

    def __init__(self, db: Database, settings: Settings, notify=None):
        super().__init__()
        self.db, self.settings = db, settings
        self.notify = notify or (lambda: None)

    @property
    def poll_seconds(self) -> float:
        return self.settings.collective_poll_seconds

    async def round(self, woken: bool) -> bool:
        await self.run_once()
        return False

    async def run_once(self) -> None:
        while (action_id := await self._claim()) is not None:
            await self._run(action_id)
        await self.send_reminders()

    async def _claim(self) -> int | None:
        now = m.utcnow()
        lapsed = or_(
            m.CollectiveAction.status == m.ActionStatus.PENDING,
            (m.CollectiveAction.status == m.ActionStatus.RUNNING)
            & or_(
                m.CollectiveAction.claimed_until.is_(None), m.CollectiveAction.claimed_until < now
            ),
        )
        async with self.db.reader() as session:
            action_id = await session.scalar(
                select(m.CollectiveAction.id)
                .where(lapsed)
                .order_by(m.CollectiveAction.created_at, m.CollectiveAction.id)
                .limit(1)
            )
        if action_id is None:
            return None
        async with self.db.writer() as session:
            claimed = await session.execute(
                update(m.CollectiveAction)
                .where(m.CollectiveAction.id == action_id, lapsed)
                .values(status=m.ActionStatus.RUNNING, claimed_until=self._lease())
            )
        return action_id if claimed.rowcount == 1 else None

    def _lease(self) -> dt.datetime:
        return m.utcnow() + dt.timedelta(seconds=self.settings.collective_lease_seconds)

    async def _run(self, action_id: int) -> None:
        async with self.db.reader() as session:
            action = await session.get(m.CollectiveAction, action_id)
            employer = await session.get(m.Employer, action.employer_id)
            items = list(
                await session.scalars(
                    select(m.CollectiveActionItem.id)
                    .where(
                        m.CollectiveActionItem.action_id == action_id,
                        m.CollectiveActionItem.status == m.ItemStatus.PENDING,
                    )
                    .order_by(m.CollectiveActionItem.id)
                )
            )
        for item_id in items:
            try:
                async with self.db.writer() as session:
                    await mijnloket.handle(session, item_id, self.settings, employer.name)
                    await session.execute(
                        update(m.CollectiveAction)
                        .where(m.CollectiveAction.id == action_id)
                        .values(claimed_until=self._lease())
                    )
            except Exception as error:
                log.exception("collective action %s: item %s failed", action_id, item_id)
                async with self.db.writer() as session:
                    reason = f"Technische fout; probeer het later opnieuw ({type(error).__name__})."
                    await mijnloket.fail(session, item_id, reason)
            self.notify()
        async with self.db.writer() as session:
            action = await session.get(m.CollectiveAction, action_id, with_for_update=True)
            action.status, action.finished_at = m.ActionStatus.DONE, m.utcnow()
            action.claimed_until = None
            mijnloket.log(session, action_id, "FINISHED")
            mijnloket.announce(session, action)
        self.notify()

    async def send_reminders(self) -> int:
        async with self.db.reader() as session:
            due = list(await session.execute(mijnloket.reminders_due(self.settings)))
        sent = 0
        for (invitation_id,) in due:
            async with self.db.writer() as session:
                invitation = await session.get(m.Invitation, invitation_id)
                employee = await session.get(m.Employee, invitation.employee_id)
                employer = await session.get(m.Employer, employee.employer_id)
                if await mijnloket.send_reminder(
                    session, invitation_id, self.settings, employer.name
                ):
                    sent += 1
        return sent
