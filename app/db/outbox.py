"""Events written to the outbox in the transaction of the change they announce (published after
commit by app/events/publisher.py). `record` is the only writer of event rows; the others name
the changes that have no payload of their own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.domain.events import Change, EventKind, ExportProgress, payload_to_json


def record(session: AsyncSession, change: Change) -> None:
    """Write `change` as an unnumbered event row, in the caller's transaction."""
    row = m.OutboxEvent(
        kind=change.kind,
        employer_id=change.employer_id,
        department_id=change.department_id,
        instance_id=change.instance_id,
        user_id=change.user_id,
        payload=payload_to_json(change.payload),
    )
    if change.at is not None:
        row.at = change.at
    session.add(row)


def access_changed(session: AsyncSession, user_id: int, employer_id: int | None = None) -> None:
    """A user's rights, role links or departments changed: its live subscriptions re-check
    what they may show (a revoked right stops them)."""
    record(session, Change(EventKind.ACCESS_CHANGED, user_id=user_id, employer_id=employer_id))


def assignment_changed(session: AsyncSession, employer_id: int) -> None:
    """Who may act on the employer's open steps changed without a step moving (a deviating
    approver set or removed): task centres there reload, their open counts are read again."""
    record(session, Change(EventKind.ASSIGNMENT_CHANGED, employer_id=employer_id))


def export_progress(session: AsyncSession, export: m.Export) -> None:
    """An export moved on (rows written, ready, failed): for its owner only."""
    progress = ExportProgress(
        export_id=export.id,
        status=export.status.value,
        rows_written=export.rows_written,
        row_count=export.row_count,
    )
    record(
        session,
        Change(
            EventKind.EXPORT_PROGRESS,
            user_id=export.user_id,
            employer_id=export.employer_id,
            payload=progress,
        ),
    )
