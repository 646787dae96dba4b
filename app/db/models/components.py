"""Declaration components and component sets (DOMAIN.md section 8), and closed payroll periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, _enum
from app.domain.validation import Unit


class ComponentSet(Base):
    """A named group of components; one per employer is its default (the others are deviating
    sets given to some employees, such as the on-call workers' set)."""

    __tablename__ = "component_sets"
    __table_args__ = (
        UniqueConstraint("employer_id", "name"),
        # At most one default set per employer.
        Index(
            "uq_component_sets_default",
            "employer_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class Component(Base):
    """What can be declared (looncomponent), with its unit and, for kilometres, a rate."""

    __tablename__ = "components"
    __table_args__ = (UniqueConstraint("set_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("component_sets.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(100))  # employee-friendly name
    unit: Mapped[Unit] = mapped_column(_enum(Unit, "unit"))
    rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))  # euros per unit
    # archiveComponent: no longer declarable; never deleted once a request names it.
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ClosedPayrollPeriod(Base):
    """A payroll period the office has closed: nothing can be declared into it any more."""

    __tablename__ = "closed_payroll_periods"

    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)  # "2026-01", "2026-P01"
