"""Tenancy: provider -> employer -> department -> employee, and the persons behind them.

A `Person` is the human behind employments (at one or several employers) and behind logins;
self-approval checks compare persons.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, _enum, utcnow
from app.domain.changes import MaritalStatus as MaritalStatus  # re-exported by app.db.models


class WerknemerloketState(StrEnum):
    NONE = "NONE"  # never had a Werknemerloket account
    ACTIVE = "ACTIVE"
    BLOCKED = "BLOCKED"  # blocked when moving to MijnLoket (DOMAIN.md section 7)


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    mijnloket_addendum_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    # setMijnLoketAddendum: who signed it for the office and on which day (who recorded it,
    # and when, is in the administration log).
    mijnloket_addendum_signatory: Mapped[str | None] = mapped_column(String(200))
    mijnloket_addendum_signed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Employer(Base):
    __tablename__ = "employers"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("employer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)


class Employee(Base):
    """An employment of a person at an employer (werknemer)."""

    __tablename__ = "employees"
    __table_args__ = (
        UniqueConstraint("employer_id", "employee_number"),
        # Keyset pagination of an employer's employees by name.
        Index("ix_employees_employer_name_id", "employer_id", "name", "id"),
        # The office-wide process overview sorted by employee walks every employer's employees
        # by name and stops after a page (app/db/queries/process_overview.py).
        Index("ix_employees_name_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    employee_number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    house_number: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="NL")
    iban: Mapped[str | None] = mapped_column(String(34))
    bsn: Mapped[str | None] = mapped_column(String(9))
    marital_status: Mapped[MaritalStatus | None] = mapped_column(
        _enum(MaritalStatus, "marital_status")
    )
    phone: Mapped[str | None] = mapped_column(String(30))
    mobile_phone: Mapped[str | None] = mapped_column(String(30))
    private_email: Mapped[str | None] = mapped_column(String(320))
    mijnloket_email: Mapped[str | None] = mapped_column(String(320))
    # The MijnLoket account this employment is linked to (a user of type EMPLOYEE).
    mijnloket_account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    werknemerloket_state: Mapped[WerknemerloketState] = mapped_column(
        _enum(WerknemerloketState, "werknemerloket_state"), default=WerknemerloketState.NONE
    )
    is_on_call: Mapped[bool] = mapped_column(Boolean, default=False)  # oproepkracht
    employment_start: Mapped[dt.date] = mapped_column(Date)
    employment_end: Mapped[dt.date | None] = mapped_column(Date)
    contract_end: Mapped[dt.date | None] = mapped_column(Date)  # None: indefinite contract
    deviating_approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Declarations (DOMAIN.md section 8): a deviating component set instead of the employer's
    # default, or no declaring at all.
    component_set_id: Mapped[int | None] = mapped_column(ForeignKey("component_sets.id"))
    excluded_from_declaring: Mapped[bool] = mapped_column(Boolean, default=False)
    # Contact persons (contactpersonen): [{"name", "relation", "phone"}], replaced as a whole.
    emergency_contacts: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
