"""Writing the administration log (app/db/models/administration.py): one entry per change of
the office's set-up, in the transaction of the change itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m


def log(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    subject: Any,
    *,
    provider_id: int,
    employer_id: int | None = None,
    **details: Any,
) -> None:
    """Record that `actor_id` (None: the command line) did `action` (the mutation's name) to
    `subject` (a flushed model row). `details`: what changed, in ids and field names, never
    personal values."""
    session.add(
        m.AdministrationEntry(
            actor_id=actor_id,
            provider_id=provider_id,
            employer_id=employer_id,
            action=action,
            subject_type=type(subject).__name__,
            subject_id=subject.id,
            details=details,
        )
    )
