"""Reads and writes of employees for `upsertEmployee` (and the Excel import): the record of
app/domain/employee_record.py mapped onto the `Employee` row and its `Person`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.lookup import visible
from app.domain import employee_record as rec
from app.domain.authz import Principal, UserType
from app.domain.errors import not_found

# Record fields kept in one column of the employee row (the others: address, date of birth).
_COLUMNS = {
    rec.NAME: "name",
    rec.DEPARTMENT: "department_id",
    rec.PRIVATE_EMAIL: "private_email",
    rec.PHONE: "phone",
    rec.MOBILE_PHONE: "mobile_phone",
    rec.IBAN: "iban",
    rec.BSN: "bsn",
    rec.EMPLOYMENT_START: "employment_start",
    rec.EMPLOYMENT_END: "employment_end",
    rec.CONTRACT_END: "contract_end",
    rec.ON_CALL: "is_on_call",
}


async def by_number(
    session: AsyncSession, employer_id: int, number: int, *, lock: bool = False
) -> m.Employee | None:
    """The employer's employee with this employee number (a system read: the caller holds the
    right to manage the employer's employees), locked for the update when `lock`."""
    stmt = select(m.Employee).where(
        m.Employee.employer_id == employer_id, m.Employee.employee_number == number
    )
    return await session.scalar(stmt.with_for_update() if lock else stmt)


async def department_at(
    session: AsyncSession, principal: Principal, employer_id: int, pk: int, field: str
) -> m.Department:
    """A department of this employer, or NOT_FOUND on `field` (another employer's department
    looks absent, as one out of reach does)."""
    department: m.Department = await visible(session, principal, m.Department, pk, field)
    if department.employer_id != employer_id:
        raise not_found("Department", field)
    return department


async def matching_person(
    session: AsyncSession, provider_id: int, bsn: str, date_of_birth: dt.date
) -> int | None:
    """The person of an employment at any employer of the office with this BSN and this date of
    birth, if there is one (the oldest such person should there be several)."""
    stmt = (
        select(m.Employee.person_id)
        .join(m.Employer, m.Employer.id == m.Employee.employer_id)
        .join(m.Person, m.Person.id == m.Employee.person_id)
        .where(
            m.Employer.provider_id == provider_id,
            m.Employee.bsn == bsn,
            m.Person.date_of_birth == date_of_birth,
        )
        .order_by(m.Employee.person_id)
        .limit(1)
    )
    return await session.scalar(stmt)


def record_of(employee: m.Employee, person: m.Person) -> dict[str, Any]:
    """The stored value of every field of the record (employee_record.FIELDS)."""
    record: dict[str, Any] = {name: getattr(employee, column) for name, column in _COLUMNS.items()}
    record[rec.DATE_OF_BIRTH] = person.date_of_birth
    parts = (employee.street, employee.house_number, employee.postcode, employee.city)
    record[rec.ADDRESS] = (
        None
        if all(p is None for p in parts)
        else rec.Address(
            employee.street or "",
            employee.house_number or "",
            employee.postcode or "",
            employee.city or "",
            employee.country,
        )
    )
    return record


def write(employee: m.Employee, person: m.Person, values: Mapping[str, Any]) -> None:
    """Set the fields in `values` (clean, from `employee_record.plan`); the person keeps the
    date of birth and follows the employee's name."""
    for name, value in values.items():
        if name in _COLUMNS:
            setattr(employee, _COLUMNS[name], value)
        elif name == rec.DATE_OF_BIRTH:
            person.date_of_birth = value
        elif name == rec.ADDRESS:
            address: rec.Address | None = value
            employee.street = address.street if address else None
            employee.house_number = address.house_number if address else None
            employee.postcode = address.postcode if address else None
            employee.city = address.city if address else None
            employee.country = address.country if address else "NL"
        else:
            raise ValueError(f"not a field of an employee record: {name}")
    if rec.NAME in values:
        person.name = values[rec.NAME]


async def new_person(session: AsyncSession, name: str, date_of_birth: dt.date | None) -> m.Person:
    person = m.Person(name=name, date_of_birth=date_of_birth)
    session.add(person)
    await session.flush()
    return person


async def new_employee(
    session: AsyncSession,
    employer_id: int,
    number: int,
    person: m.Person,
    values: Mapping[str, Any],
) -> m.Employee:
    """A new employee of the person, with `values` (a plan for a new record has the required
    fields), flushed so that it has its id."""
    employee = m.Employee(employer_id=employer_id, employee_number=number, person_id=person.id)
    write(employee, person, values)
    session.add(employee)
    await session.flush()
    return employee


async def users_of_person(session: AsyncSession, person_id: int) -> list[int]:
    """The logins of a person (a MijnLoket account, a staff user who is also employed)."""
    return list(await session.scalars(select(m.User.id).where(m.User.person_id == person_id)))


async def managers_of(session: AsyncSession, department_ids: set[int]) -> list[int]:
    """The department managers of these departments."""
    stmt = (
        select(m.UserDepartment.user_id)
        .join(m.User, m.User.id == m.UserDepartment.user_id)
        .where(
            m.UserDepartment.department_id.in_(sorted(department_ids)),
            m.User.user_type == UserType.DEPARTMENT_MANAGER,
        )
        .distinct()
    )
    return list(await session.scalars(stmt))
