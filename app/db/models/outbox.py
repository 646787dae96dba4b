"""The transactional outbox: e-mails and events written in the same transaction as the change
they announce, and sent or published only after it committed (DOMAIN.md section 5)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, _enum, utcnow


class EmailStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"  # gave up after the last retry; visible to administrators


class OutboxEmail(Base):
    __tablename__ = "outbox_emails"
    __table_args__ = (
        # The relay picks up what is due, oldest first; sent mail is never looked at again.
        Index(
            "ix_outbox_emails_due",
            "next_attempt_at",
            "id",
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
        Index("ix_outbox_emails_employer", "employer_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One e-mail per purpose and recipient: writing it twice is refused by the database.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_instances.id"), index=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A MijnLoket invitation or reminder: its body holds a placeholder for the activation link,
    # which the relay mints as it sends (the outbox and its readers never see a token).
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("mijnloket_invitations.id"))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[EmailStatus] = mapped_column(
        _enum(EmailStatus, "status"), default=EmailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set while one relay has claimed the row, so that a second relay leaves it alone.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class OutboxEvent(Base):
    """A change others may want to hear of live (subscriptions, app/events).

    Written in the transaction of the change; `seq` is given when it is published, by one
    publisher at a time, in commit order: it increases monotonically without gaps, so whoever has
    seen event N has seen every event before it (catch-up replays `seq > N`).
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_employer", "employer_id", "id"),
        # The publisher picks up what is not published yet, oldest first.
        Index(
            "ix_outbox_events_unpublished",
            "id",
            sqlite_where=text("seq IS NULL"),
            postgresql_where=text("seq IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    # None: not about one employer (an office-wide export, a user's access).
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_instances.id"))
    # The one user an event is for (an export's owner; whose access changed).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
