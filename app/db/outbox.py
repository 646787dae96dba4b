"""Events written to the outbox in the transaction of the change they announce (published after
commit by app/events/publisher.py). Instance transitions write theirs in app/db/instances.py."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.domain.events import EventKind


def access_changed(session: AsyncSession, user_id: int, employer_id: int | None = None) -> None:
    """A user's rights, role links or departments changed: its live subscriptions re-check
    what they may show (a revoked right stops them)."""
    session.add(
        m.OutboxEvent(kind=EventKind.ACCESS_CHANGED, user_id=user_id, employer_id=employer_id)
    )


def assignment_changed(session: AsyncSession, employer_id: int) -> None:
    """Who may act on the employer's open steps changed without a step moving (a deviating
    approver set or removed): task centres there reload, their open counts are read again."""
    session.add(m.OutboxEvent(kind=EventKind.ASSIGNMENT_CHANGED, employer_id=employer_id))


def export_progress(session: AsyncSession, export: m.Export, **state) -> None:
    """An export moved on (rows written, ready, failed): for its owner only."""
    session.add(
        m.OutboxEvent(
            kind=EventKind.EXPORT_PROGRESS,
            user_id=export.user_id,
            employer_id=export.employer_id,
            payload={"exportId": export.id, **state},
        )
    )
