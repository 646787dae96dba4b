"""The administration log: who changed the office's set-up (employers, departments, users,
employees, component sets, the MijnLoket addendum), when, and what.

Append-only, like the audit trail of requests (migration 0013: the database refuses changes).
`details` holds what changed in words and ids, never personal values (no IBAN, BSN, address):
those are named, not copied (`{"changed": ["iban", "address"]}`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, utcnow


class AdministrationEntry(Base):
    __tablename__ = "administration_log"
    __table_args__ = (Index("ix_administration_log_provider", "provider_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None: the command line (`loketflow office create`), not a signed-in user.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))  # the mutation: "createEmployer", ...
    subject_type: Mapped[str] = mapped_column(String(40))  # "Employer", "User", ...
    subject_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
