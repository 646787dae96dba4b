"""The collective move from Werknemerloket to MijnLoket (DOMAIN.md section 7, seed 004): the
collective action with one item per person, the invitations, and the action's log.

An invitation's token is stored only as a SHA-256 hash, written when the e-mail leaves: the link
in the e-mail is the only copy (not even the outbox holds it).
The log is append-only (who started the action, for whom, every state change per person).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, _enum, utcnow


class ActionStatus(StrEnum):
    PENDING = "PENDING"  # waiting for a worker
    RUNNING = "RUNNING"
    DONE = "DONE"  # every person handled (each item says how)


class ItemStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSED = "PROCESSED"  # Werknemerloket blocked, invitation sent
    FAILED = "FAILED"  # not migrated: `reason` says why (a stopper, or what went wrong)
    SKIPPED = "SKIPPED"  # nothing to do: already invited, or already on MijnLoket


class CollectiveAction(Base):
    __tablename__ = "collective_actions"
    __table_args__ = (
        Index("ix_collective_actions_employer", "employer_id", "id"),
        Index(
            "ix_collective_actions_waiting",
            "created_at",
            "id",
            sqlite_where=text("status IN ('PENDING', 'RUNNING')"),
            postgresql_where=text("status IN ('PENDING', 'RUNNING')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    kind: Mapped[str] = mapped_column(String(40), default="MIJNLOKET_MIGRATION")
    status: Mapped[ActionStatus] = mapped_column(
        _enum(ActionStatus, "status"), default=ActionStatus.PENDING
    )
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # While a worker runs it; another takes over when the lease lapses (a process died).
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CollectiveActionItem(Base):
    __tablename__ = "collective_action_items"
    __table_args__ = (UniqueConstraint("action_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("collective_actions.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    status: Mapped[ItemStatus] = mapped_column(
        _enum(ItemStatus, "status"), default=ItemStatus.PENDING
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invitation(Base):
    """The MijnLoket invitation of one employment; at most one per employment, ever (nobody is
    invited twice)."""

    __tablename__ = "mijnloket_invitations"
    __table_args__ = (
        # The reminder scheduler: unused invitations without a reminder, oldest first.
        Index(
            "ix_mijnloket_invitations_reminder_due",
            "sent_at",
            "id",
            sqlite_where=text("used_at IS NULL AND reminder_sent_at IS NULL"),
            postgresql_where=text("used_at IS NULL AND reminder_sent_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), unique=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("collective_actions.id"))
    # Set when the e-mail leaves (the relay mints the link, app/db/mijnloket.fill_link): the
    # outbox never holds a token. The previous link stays valid too, so that a reminder (or a
    # retried send) does not break the link someone already has.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    previous_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    email: Mapped[str] = mapped_column(String(320))  # prefilled from the private e-mail
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # linked/registered


class ActionLogEntry(Base):
    """Append-only: who did what to whom in a collective action, and when."""

    __tablename__ = "collective_action_log"
    __table_args__ = (Index("ix_collective_action_log_action", "action_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("collective_actions.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
