"""Workflow definitions: per employer and type, a switch and immutable versions of 0-6 steps."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, _enum, utcnow
from app.domain.authz import UserType
from app.domain.catalogue import WorkflowType
from app.domain.definitions import AssigneeKind, StepKind


class WorkflowDefinition(Base):
    """Created the first time a type is switched on at an employer; its steps live in versions,
    the newest of which is in force for new requests."""

    __tablename__ = "workflow_definitions"
    __table_args__ = (UniqueConstraint("employer_id", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    type: Mapped[WorkflowType] = mapped_column(_enum(WorkflowType, "type"))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    active_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    active_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class WorkflowDefinitionVersion(Base):
    """Immutable once written: running requests keep following the version they started on."""

    __tablename__ = "workflow_definition_versions"
    __table_args__ = (UniqueConstraint("definition_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("workflow_definitions.id"))
    version: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkflowStep(Base):
    __tablename__ = "workflow_steps"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        CheckConstraint("position BETWEEN 1 AND 6", name="position"),
        CheckConstraint(
            "(assignee_kind = 'ROLE' AND role_id IS NOT NULL)"
            " OR (assignee_kind = 'USER_TYPE' AND user_type IS NOT NULL)"
            " OR assignee_kind IN ('USERS', 'ALL_USERS')",
            name="assignee",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("workflow_definition_versions.id"))
    position: Mapped[int] = mapped_column(Integer)  # 1-based, as the editor numbers steps
    kind: Mapped[StepKind] = mapped_column(_enum(StepKind, "kind"))
    name: Mapped[str] = mapped_column(String(100))
    assignee_kind: Mapped[AssigneeKind] = mapped_column(_enum(AssigneeKind, "assignee_kind"))
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id"), index=True)
    user_type: Mapped[UserType | None] = mapped_column(_enum(UserType, "step_user_type"))
    send_email: Mapped[bool] = mapped_column(Boolean)


class WorkflowStepUser(Base):
    """The specific users of a step assigned to users (restricted mode)."""

    __tablename__ = "workflow_step_users"

    step_id: Mapped[int] = mapped_column(ForeignKey("workflow_steps.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
