"""Create a department of an employer."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import administration, departments
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import validation
from app.domain.authz import Principal
from app.domain.errors import not_found
from app.domain.offices import NAME_MAX
from app.schema.ids import input_pk
from app.schema.inputs.office import CreateDepartmentInput
from app.schema.payloads.office import DepartmentPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class CreateDepartment:
    employer_id: str
    name: str


async def create_department(
    session: Session, principal: Principal, command: CreateDepartment
) -> m.Department:
    pk = input_pk(command.employer_id, "Employer", "employerId")
    # Locked: two departments of one name at one employer are created one after the other.
    employer = await visible(session, principal, m.Employer, pk, "employerId", for_update=True)
    if employer.provider_id != principal.provider_id:  # one where one is only employed
        raise not_found("Employer", "employerId")
    name = validation.name(command.name, "name", max_length=NAME_MAX)
    await departments.ensure_name_free(session, employer.id, name)
    department = m.Department(employer_id=employer.id, name=name)
    session.add(department)
    await session.flush()
    administration.log(
        session,
        principal.user_id,
        "createDepartment",
        department,
        provider_id=employer.provider_id,
        employer_id=employer.id,
        fields=["name"],
    )
    return department


async def resolve_create_department(
    info: strawberry.Info, input: CreateDepartmentInput
) -> DepartmentPayload:
    """Create a department (afdeling) of an employer of your office; the name is unique at the
    employer (case aside). It has no managers until `setDepartmentManagers`."""
    command = CreateDepartment(employer_id=input.employer_id, name=input.name)
    return await mutate(
        info,
        create_department,
        command,
        DepartmentPayload,
        lambda department: {"department": department},
    )
