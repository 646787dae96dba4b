"""Logins, rights, roles and role links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, _enum, utcnow
from app.domain.authz import Right, UserType


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(user_type = 'PROVIDER' AND provider_id IS NOT NULL AND employer_id IS NULL)"
            " OR (user_type IN ('EMPLOYER', 'DEPARTMENT_MANAGER') AND employer_id IS NOT NULL)"
            " OR (user_type = 'EMPLOYEE' AND person_id IS NOT NULL)",
            name="belongs_somewhere",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    user_type: Mapped[UserType] = mapped_column(_enum(UserType, "user_type"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # MijnLoket accounts registered through an invitation: an Argon2id hash (argon2-cffi).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # deactivateUser: who and when (the row stays: requests and audit entries name it).
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    deactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class UserEmployer(Base):
    """Further employers of the office an employer user has access to, beyond its own
    (`User.employer_id`); rights and role links stay per employer (DOMAIN.md section 9)."""

    __tablename__ = "user_employers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id"), primary_key=True, index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserDepartment(Base):
    """The departments a department manager is limited to."""

    __tablename__ = "user_departments"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id"), primary_key=True, index=True
    )


class RightGrant(Base):
    __tablename__ = "right_grants"
    __table_args__ = (
        # One grant per (user, right, level). NULL employer means provider level; two partial
        # indexes because NULLs are distinct in a plain unique constraint.
        Index(
            "uq_right_grants_provider_level",
            "user_id",
            "right",
            unique=True,
            sqlite_where=text("employer_id IS NULL"),
            postgresql_where=text("employer_id IS NULL"),
        ),
        Index(
            "uq_right_grants_employer_level",
            "user_id",
            "right",
            "employer_id",
            unique=True,
            sqlite_where=text("employer_id IS NOT NULL"),
            postgresql_where=text("employer_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    right: Mapped[Right] = mapped_column(_enum(Right, "right"))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Role(Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoleLink(Base):
    """A role linked to a user at one employer; it gives nothing at another employer."""

    __tablename__ = "role_links"
    __table_args__ = (UniqueConstraint("role_id", "user_id", "employer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# Role names are unique per office regardless of case ("HR" and "hr" are the same role); the
# index also settles two concurrent createRole calls that both found the name free.
Index("uq_roles_provider_lower_name", Role.provider_id, func.lower(Role.name), unique=True)
