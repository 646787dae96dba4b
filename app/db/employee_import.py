"""Reads and writes of the Excel import of employees (`importEmployees`, issue 16 point 4): the
employer's departments by name, its employees by number in bulk, and the matching persons of the
office in bulk, so that an import of 10,000 rows does a few queries per thousand rows, not a few
per row. Writing a row goes through app/db/employees.py, as `upsertEmployee` does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db import outbox
from app.db.employees import managers_of, users_of_person, write
from app.domain import employee_record as rec

CHUNK = 500  # ids in one IN (...): well within SQLite's and PostgreSQL's parameter limits


def _chunks(values: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def departments_by_name(session: AsyncSession, employer_id: int) -> dict[str, int]:
    """The employer's departments: name in lower case (spaces collapsed) -> id."""
    rows = await session.execute(
        select(m.Department.name, m.Department.id).where(m.Department.employer_id == employer_id)
    )
    return {" ".join(name.split()).lower(): pk for name, pk in rows}


async def employees_by_number(
    session: AsyncSession, employer_id: int, numbers: Iterable[int], *, lock: bool
) -> dict[int, tuple[m.Employee, m.Person]]:
    """The employer's employees with these numbers and their persons, locked for the update
    when `lock` (a system read: the caller holds MANAGE_EMPLOYEES at the employer)."""
    found: dict[int, tuple[m.Employee, m.Person]] = {}
    for chunk in _chunks(sorted(set(numbers))):
        stmt = (
            select(m.Employee, m.Person)
            .join(m.Person, m.Person.id == m.Employee.person_id)
            .where(m.Employee.employer_id == employer_id, m.Employee.employee_number.in_(chunk))
        )
        for employee, person in await session.execute(stmt.with_for_update() if lock else stmt):
            found[employee.employee_number] = (employee, person)
    return found


async def matching_persons(
    session: AsyncSession, provider_id: int, keys: Iterable[tuple[str, dt.date]]
) -> dict[tuple[str, dt.date], int]:
    """(BSN, date of birth) -> the person of an employment anywhere in the office with both
    (the oldest such person), as `employees.matching_person` for many keys at once."""
    found: dict[tuple[str, dt.date], int] = {}
    for chunk in _chunks(sorted(set(keys))):
        stmt = (
            select(m.Employee.bsn, m.Person.date_of_birth, m.Employee.person_id)
            .join(m.Employer, m.Employer.id == m.Employee.employer_id)
            .join(m.Person, m.Person.id == m.Employee.person_id)
            .where(
                m.Employer.provider_id == provider_id,
                tuple_(m.Employee.bsn, m.Person.date_of_birth).in_(chunk),
            )
            .order_by(m.Employee.person_id)
        )
        for bsn, born, person_id in await session.execute(stmt):
            if bsn is not None and born is not None:
                found.setdefault((bsn, born), person_id)
    return found


async def person(session: AsyncSession, person_id: int) -> m.Person:
    found = await session.get(m.Person, person_id)
    assert found is not None
    return found


async def person_joined(session: AsyncSession, person_id: int) -> None:
    """A new employment joined an existing person: its logins now reach this employer too."""
    for user_id in await users_of_person(session, person_id):
        outbox.access_changed(session, user_id)


async def departments_moved(
    session: AsyncSession, employer_id: int, department_ids: set[int]
) -> None:
    """Employees moved between these departments: who sees them and who acts on their open
    steps changed (as `upsertEmployee` announces one move)."""
    if not department_ids:
        return
    outbox.assignment_changed(session, employer_id)
    for user_id in await managers_of(session, department_ids):
        outbox.access_changed(session, user_id, employer_id)


async def create_many(
    session: AsyncSession,
    employer_id: int,
    provider_id: int,
    new: list[tuple[int, dict[str, Any]]],
    owners: dict[tuple[str, dt.date], int],
) -> list[m.Employee]:
    """New employees (number, clean values of a plan for a new record), in a few statements
    whatever their number. As `upsertEmployee` does, a new employee joins the person of an
    employment in the office with the same BSN and date of birth (its logins then reach this
    employer: announced), else gets a new person. `owners` ((BSN, date of birth) -> person id)
    is kept by the caller across calls, so that rows of one import with the same BSN and date
    of birth share one person."""
    keys = [(values.get(rec.BSN), values.get(rec.DATE_OF_BIRTH)) for _, values in new]
    complete: list[tuple[str, dt.date]] = [
        (k[0], k[1]) for k in keys if k[0] is not None and k[1] is not None
    ]
    matches = await matching_persons(session, provider_id, [k for k in complete if k not in owners])
    fresh: dict[tuple[Any, Any], m.Person] = {}
    new_persons: list[m.Person] = []
    owner_of_row: list[m.Person] = []
    for (_number, values), key in zip(new, keys, strict=True):
        known = key[0] is not None and key[1] is not None
        if known and key in fresh:
            owner = fresh[key]
        elif known and key in owners:
            owner = await person(session, owners[key])
        elif known and key in matches:
            owner = await person(session, matches[key])
            await person_joined(session, owner.id)
            owners[(key[0], key[1])] = owner.id
        else:
            owner = m.Person(name=values[rec.NAME], date_of_birth=values.get(rec.DATE_OF_BIRTH))
            new_persons.append(owner)
            if known:
                fresh[key] = owner
        owner_of_row.append(owner)
    session.add_all(new_persons)
    await session.flush()
    for key, owner in fresh.items():
        owners[(key[0], key[1])] = owner.id
    created: list[m.Employee] = []
    for (number, values), owner in zip(new, owner_of_row, strict=True):
        employee = m.Employee(employer_id=employer_id, employee_number=number, person_id=owner.id)
        write(employee, owner, values)
        created.append(employee)
    session.add_all(created)
    await session.flush()
    return created
