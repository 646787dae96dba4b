"""Excel downloads of the process-management overview (issue 5): the job and its file.

A row is written by the mutation; the file is built (at once when small, else by a background
worker in whichever process claims it) and kept in the database in parts, so that any process
behind a load balancer can serve the download. Parts are deleted when the link expires.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, _enum, utcnow


class ExportStatus(StrEnum):
    PENDING = "PENDING"  # waiting for a worker
    RUNNING = "RUNNING"
    READY = "READY"  # downloadable until expires_at
    FAILED = "FAILED"


class Export(Base):
    __tablename__ = "exports"
    __table_args__ = (
        # Workers look for what is waiting (or whose worker died), oldest first.
        Index(
            "ix_exports_waiting",
            "created_at",
            "id",
            sqlite_where=text("status IN ('PENDING', 'RUNNING')"),
            postgresql_where=text("status IN ('PENDING', 'RUNNING')"),
        ),
        Index("ix_exports_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))  # None: office
    # What was asked, as the overview's filter (tab, filters, sort), to build it again anywhere.
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[ExportStatus] = mapped_column(
        _enum(ExportStatus, "status"), default=ExportStatus.PENDING
    )
    row_count: Mapped[int | None] = mapped_column(Integer)  # expected, then written
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    # The secret part of the download link; the link also needs the owner's sign-in.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # While a worker builds the file; another takes over when it lapses (a crashed process).
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ExportPart(Base):
    """One slice of a built file: downloads stream them in order, never the whole file."""

    __tablename__ = "export_parts"

    export_id: Mapped[int] = mapped_column(ForeignKey("exports.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
