"""Create or update one employee of an employer, keyed by its employee number (issue 16).

Decisions (see also app/domain/employee_record.py for the fields and their rules):
- Right: MANAGE_EMPLOYEES at the employer; never department managers (they do not create or
  change employee records, whatever rights they hold).
- A new employee joins the person of an employment elsewhere in the same office (any employer
  of the provider) with the same BSN and the same date of birth: one human, one person, so that
  one MijnLoket account covers both employments and self-approval checks see them as one.
  Without a BSN and a date of birth, or without such an employment, it gets a new person. The
  person is chosen once, at creation: a later change of BSN never moves an employment to
  another person. A match is not shown to the caller (it would tell who works elsewhere). The
  date of birth belongs to the person: changing it changes it for each of its employments; the
  person's name follows the employee's.
- An upsert that changes nothing writes nothing: no log entry, no event (`changed: false`).
- The administration log names the employee number and the changed fields, never their values.
- Moving an employee to another department changes what the managers of both departments may
  see, and who acts on the employee's open steps: both are announced to live subscriptions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import strawberry

from app.db import administration, employees, outbox
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import employee_record as rec
from app.domain.authz import Principal, Right, refusal
from app.domain.errors import DomainError, Forbidden
from app.schema.errors import UserError
from app.schema.ids import input_pk, to_global_id
from app.schema.inputs.employees import UpsertEmployeeInput
from app.schema.payloads.employees import UpsertEmployeePayload
from app.schema.runner import failed, write

NOT_FOR_MANAGERS = "Afdelingsmanagers kunnen geen werknemers aanmaken of wijzigen."


@dataclass(frozen=True)
class UpsertEmployee:
    employer_id: str
    employee_number: int
    # Input field name (employee_record.FIELDS) -> raw value; left out: kept, None: cleared.
    # departmentId is the department's ID.
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Upserted:
    employee: m.Employee
    created: bool
    changed_fields: tuple[str, ...]


async def upsert_employee(
    session: Session, principal: Principal, command: UpsertEmployee
) -> Upserted:
    """Refuses with an `InvalidRecord` (every field error) or another `DomainError`."""
    pk = input_pk(command.employer_id, "Employer", "employerId")
    employer = await visible(session, principal, m.Employer, pk, "employerId")
    if principal.is_department_manager:
        raise Forbidden(NOT_FOR_MANAGERS)
    if not principal.has_right(Right.MANAGE_EMPLOYEES, employer.id):
        raise Forbidden(refusal(Right.MANAGE_EMPLOYEES))
    number = rec.employee_number(command.employee_number)

    raw = dict(command.fields)
    errors: list[DomainError] = []
    if raw.get(rec.DEPARTMENT) is not None:
        try:
            department_pk = input_pk(raw[rec.DEPARTMENT], "Department", rec.DEPARTMENT)
            department = await employees.department_at(
                session, principal, employer.id, department_pk, rec.DEPARTMENT
            )
            raw[rec.DEPARTMENT] = department.id
        except DomainError as error:
            errors.append(error)
            del raw[rec.DEPARTMENT]

    employee = await employees.by_number(session, employer.id, number, lock=True)
    person = await session.get(m.Person, employee.person_id) if employee else None
    current = employees.record_of(employee, person) if employee and person else None
    plan = rec.plan(raw, current, dt.date.today())
    # A department that was not found is not "missing" as well.
    refused = {e.field[0] for e in errors if e.field}
    errors += [e for e in plan.errors if not (e.field and e.field[0] in refused)]
    if errors:
        raise rec.InvalidRecord(errors)

    if employee is not None and person is not None:
        if not plan.changed:
            return Upserted(employee, created=False, changed_fields=())
        before = employee.department_id
        employees.write(employee, person, plan.values)
        if employee.department_id != before:
            await _department_moved(session, employee, {before, employee.department_id})
        created = False
    else:
        person = await _person_for(session, employer.provider_id, plan.values)
        employee = await employees.new_employee(session, employer.id, number, person, plan.values)
        created = True

    await session.flush()
    administration.log(
        session,
        principal.user_id,
        "upsertEmployee",
        employee,
        provider_id=employer.provider_id,
        employer_id=employer.id,
        employeeNumber=number,
        created=created,
        fields=list(plan.changed),
    )
    return Upserted(employee, created=created, changed_fields=plan.changed)


async def _person_for(session: Session, provider_id: int, values: Mapping[str, Any]) -> m.Person:
    """The person of the same human elsewhere in the office (same BSN and date of birth), whose
    logins then reach this employer too; else a new person."""
    bsn, born = values.get(rec.BSN), values.get(rec.DATE_OF_BIRTH)
    if bsn is not None and born is not None:
        person_id = await employees.matching_person(session, provider_id, bsn, born)
        if person_id is not None:
            person = await session.get(m.Person, person_id)
            assert person is not None
            for user_id in await employees.users_of_person(session, person_id):
                outbox.access_changed(session, user_id)
            return person
    return await employees.new_person(session, values[rec.NAME], born)


async def _department_moved(session: Session, employee: m.Employee, departments: set[int]) -> None:
    outbox.assignment_changed(session, employee.employer_id)
    for user_id in await employees.managers_of(session, departments):
        outbox.access_changed(session, user_id, employee.employer_id)


def _fields(input: UpsertEmployeeInput) -> dict[str, Any]:
    """The input's given fields (UNSET: left out) under their record names."""
    given = {
        rec.NAME: input.name,
        rec.DATE_OF_BIRTH: input.date_of_birth,
        rec.DEPARTMENT: input.department_id,
        rec.PRIVATE_EMAIL: input.private_email,
        rec.PHONE: input.phone,
        rec.MOBILE_PHONE: input.mobile_phone,
        rec.IBAN: input.iban,
        rec.BSN: input.bsn,
        rec.EMPLOYMENT_START: input.employment_start,
        rec.EMPLOYMENT_END: input.employment_end,
        rec.CONTRACT_END: input.contract_end,
        rec.ON_CALL: input.on_call,
    }
    fields = {name: value for name, value in given.items() if value is not strawberry.UNSET}
    address = input.address
    if address is None:
        fields[rec.ADDRESS] = None
    elif address is not strawberry.UNSET:
        fields[rec.ADDRESS] = {
            "street": address.street,
            "houseNumber": address.house_number,
            "postcode": address.postcode,
            "city": address.city,
            "country": address.country,
        }
    return fields


async def resolve_upsert_employee(
    info: strawberry.Info, input: UpsertEmployeeInput
) -> UpsertEmployeePayload:
    """Create an employee of the employer, or update the one with this employee number. A field
    left out keeps its value, null clears it; every refused field is named in `errors` at once.
    An update that changes nothing writes nothing and says so (`changed: false`)."""
    # Not the runner's `mutate`, which reports one error: a refused record reports all of its
    # field errors (a form, or an import row, names them all).
    command = UpsertEmployee(
        employer_id=input.employer_id,
        employee_number=input.employee_number,
        fields=_fields(input),
    )
    try:
        done = await write(
            info, lambda session, principal: upsert_employee(session, principal, command)
        )
    except rec.InvalidRecord as invalid:
        return UpsertEmployeePayload(errors=[UserError.of(e) for e in invalid.errors])
    except DomainError as error:
        return failed(UpsertEmployeePayload, error)
    employee = await info.context.loaders.employee_for_payload.load(done.employee.id)
    return UpsertEmployeePayload(
        employee=employee,
        employee_id=to_global_id("Employee", done.employee.id),
        created=done.created,
        changed=bool(done.changed_fields),
        changed_fields=list(done.changed_fields),
        errors=[],
    )
