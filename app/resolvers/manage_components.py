"""Who declares from which component set, and how a component is called in MijnLoket
(DOMAIN.md section 8). Decision: part of configuring the expense-claim workflow, so it needs
MANAGE_WORKFLOW_EDITOR at the employer and is not for department managers."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from app.db import models as m
from app.domain.authz import Right
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import clean_name, get_visible, input_pk, write
from app.resolvers.set_deviating_approver import EmployeePayload
from app.schema.errors import UserError
from app.schema.types.declaration import Component


@strawberry.input
class SetEmployeeComponentSetInput:
    employee_id: strawberry.ID
    component_set_id: strawberry.ID | None = strawberry.field(
        default=None, description="A deviating set; null: the employer's default set."
    )
    excluded_from_declaring: bool = strawberry.field(
        default=False, description="True: this employee cannot declare at all."
    )


async def set_employee_component_set(
    info: strawberry.Info, input: SetEmployeeComponentSetInput
) -> EmployeePayload:
    """Give an employee a deviating component set (such as the on-call workers' set), back the
    default set, or exclude the employee from declaring."""

    async def apply(session, principal) -> int:
        pk = input_pk(input.employee_id, "Employee", "employeeId")
        employee = await get_visible(
            session, principal, m.Employee, pk, "employeeId", right=Right.MANAGE_WORKFLOW_EDITOR
        )
        set_id = None
        if input.component_set_id is not None:
            wanted = input_pk(input.component_set_id, "ComponentSet", "componentSetId")
            set_id = await session.scalar(
                select(m.ComponentSet.id).where(
                    m.ComponentSet.id == wanted,
                    m.ComponentSet.employer_id == employee.employer_id,
                )
            )
            if set_id is None:
                raise DomainError(
                    ErrorCode.NOT_FOUND, "Componentenset niet gevonden.", ["componentSetId"]
                )
        employee.component_set_id = set_id
        employee.excluded_from_declaring = input.excluded_from_declaring
        return employee.id

    try:
        employee_id = await write(info, apply)
    except DomainError as error:
        return EmployeePayload(errors=[UserError.of(error)])
    employee = await info.context.loaders.employee_for_payload.load(employee_id)
    return EmployeePayload(employee=employee, errors=[])


@strawberry.input
class SetComponentLabelInput:
    component_id: strawberry.ID
    label: str | None = strawberry.field(
        default=None, description="What employees see; null or empty: the component's name."
    )


@strawberry.type
class ComponentPayload:
    component: Component | None = None
    errors: list[UserError]


async def set_component_label(
    info: strawberry.Info, input: SetComponentLabelInput
) -> ComponentPayload:
    """Give a component an employee-friendly label ("Zakelijke kilometers")."""

    async def apply(session, principal) -> m.Component:
        pk = input_pk(input.component_id, "Component", "componentId")
        component = await get_visible(session, principal, m.Component, pk, "componentId")
        label = (input.label or "").strip()
        component.label = clean_name(label, "label") if label else None
        return component

    try:
        return ComponentPayload(component=await write(info, apply), errors=[])
    except DomainError as error:
        return ComponentPayload(errors=[UserError.of(error)])
