"""Workflow instances (requests), their steps, their audit trail and expense claims.

The state here is written only from what `app/domain/workflow.py` decides (`app/db/instances.py`
maps between the two). Which users may act on an open step is not stored: it is resolved when the
task is read or acted on (DOMAIN.md section 4, roles keep workflows stable).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, _enum, utcnow
from app.domain.catalogue import WorkflowType
from app.domain.definitions import StepKind
from app.domain.workflow import AuditKind, InstanceStatus, StepAction, StepState


class WorkflowInstance(Base):
    """One request, following the definition version that was in force when it was submitted."""

    __tablename__ = "workflow_instances"
    __table_args__ = (
        # A retried submission finds the first one (idempotencyKey).
        UniqueConstraint("submitter_id", "idempotency_key"),
        # Process management (app/db/queries/process_overview.py), keyset-paginated: the open
        # tab and sorting or filtering by status; the historical tab (status <> IN_PROGRESS,
        # mostly true); a type filter; office-wide (no employer first): the historical tab by
        # date, the open tab and sorting by status; one employee's requests and sorting by
        # employee (walked per employee from the employees' name order), on the open tab
        # without reading the employee's history.
        Index(
            "ix_workflow_instances_employer_status", "employer_id", "status", "submitted_at", "id"
        ),
        Index("ix_workflow_instances_employer_submitted", "employer_id", "submitted_at", "id"),
        Index("ix_workflow_instances_employer_type", "employer_id", "type", "submitted_at", "id"),
        Index("ix_workflow_instances_submitted", "submitted_at", "id"),
        Index("ix_workflow_instances_status", "status", "submitted_at", "id"),
        Index("ix_workflow_instances_employee", "employee_id", "id"),
        Index("ix_workflow_instances_employee_status", "employee_id", "status", "id"),
        # The task centre reads only requests with an open step: a partial index keeps that
        # cost independent of the (large) number of finished requests.
        Index(
            "ix_workflow_instances_open",
            "employer_id",
            "submitted_at",
            "id",
            sqlite_where=text("open_position IS NOT NULL"),
            postgresql_where=text("open_position IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    type: Mapped[WorkflowType] = mapped_column(_enum(WorkflowType, "type"))
    definition_version_id: Mapped[int] = mapped_column(
        ForeignKey("workflow_definition_versions.id"), index=True
    )
    status: Mapped[InstanceStatus] = mapped_column(_enum(InstanceStatus, "status"))
    # The position of the step waiting for an action; NULL when none is (finished or only
    # notifications so far).
    open_position: Mapped[int | None] = mapped_column(Integer)
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    # SHA-256 of what was submitted with the key: a retry with the same key must ask the same.
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # The change the request asks for (update workflows and management actions), as validated.
    change: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Bumped by every transition; an update that finds another number lost a race.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    # SQLAlchemy adds "AND lock_version = <read>" to every UPDATE and raises StaleDataError when
    # no row matched: a second line of defence behind the row lock taken before acting.
    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 (SQLAlchemy reads it)


class InstanceStep(Base):
    """The progress of one step of an instance. An OPEN task or approval step is a task."""

    __tablename__ = "instance_steps"
    __table_args__ = (
        UniqueConstraint("instance_id", "position"),
        # The task centre, newest task first, over open steps only: its cost does not grow
        # with the (large) number of finished requests.
        Index(
            "ix_instance_steps_open",
            "opened_at",
            "id",
            sqlite_where=text("state = 'OPEN'"),
            postgresql_where=text("state = 'OPEN'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instances.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[StepKind] = mapped_column(_enum(StepKind, "kind"))
    state: Mapped[StepState] = mapped_column(_enum(StepState, "state"))
    action: Mapped[StepAction | None] = mapped_column(_enum(StepAction, "action"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Append-only: written with every transition, never updated or deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instances.id"))
    kind: Mapped[AuditKind] = mapped_column(_enum(AuditKind, "kind"))
    position: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExpenseClaim(Base):
    """The declaration of an EXPENSE_CLAIM instance (columns, so overviews can filter on them)."""

    __tablename__ = "expense_claims"

    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instances.id"), primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # euros, where the unit says
    payroll_period: Mapped[str | None] = mapped_column(String(8))  # asked for by the employee
    processed_period: Mapped[str | None] = mapped_column(String(8))  # booked into
    description: Mapped[str | None] = mapped_column(String(500))
