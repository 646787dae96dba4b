"""Rename a department of an employer."""

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
from app.schema.inputs.office import RenameDepartmentInput
from app.schema.payloads.office import DepartmentPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class RenameDepartment:
    department_id: str
    name: str


async def rename_department(
    session: Session, principal: Principal, command: RenameDepartment
) -> m.Department:
    pk = input_pk(command.department_id, "Department", "departmentId")
    department = await visible(session, principal, m.Department, pk, "departmentId")
    employer = await visible(
        session, principal, m.Employer, department.employer_id, "departmentId", for_update=True
    )
    if employer.provider_id != principal.provider_id:  # one where one is only employed
        raise not_found("Department", "departmentId")
    name = validation.name(command.name, "name", max_length=NAME_MAX)
    if name == department.name:
        return department  # nothing changes, nothing to record
    await departments.ensure_name_free(session, employer.id, name, except_id=department.id)
    department.name = name
    administration.log(
        session,
        principal.user_id,
        "renameDepartment",
        department,
        provider_id=employer.provider_id,
        employer_id=employer.id,
        fields=["name"],
    )
    return department


async def resolve_rename_department(
    info: strawberry.Info, input: RenameDepartmentInput
) -> DepartmentPayload:
    """Rename a department of an employer of your office; the name stays unique at the
    employer (case aside). Its employees and managers stay with it."""
    command = RenameDepartment(department_id=input.department_id, name=input.name)
    return await mutate(
        info,
        rename_department,
        command,
        DepartmentPayload,
        lambda department: {"department": department},
    )
