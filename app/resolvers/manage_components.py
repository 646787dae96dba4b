"""Who declares from which component set, and how a component is called in MijnLoket
(DOMAIN.md section 8). Decision: part of configuring the expense-claim workflow, so it needs
MANAGE_WORKFLOW_EDITOR at the employer and is not for department managers."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import administration, component_sets, components
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import validation
from app.domain.authz import Principal, Right
from app.domain.errors import DomainError, ErrorCode
from app.schema.ids import input_pk
from app.schema.inputs.components import SetComponentLabelInput, SetEmployeeComponentSetInput
from app.schema.payloads.components import ComponentPayload
from app.schema.payloads.employees import EmployeePayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class SetEmployeeComponentSet:
    employee_id: str
    component_set_id: str | None = None  # None: the employer's default set
    excluded_from_declaring: bool = False


async def set_employee_component_set(
    session: Session, principal: Principal, command: SetEmployeeComponentSet
) -> int:
    """The employee's id."""
    pk = input_pk(command.employee_id, "Employee", "employeeId")
    employee = await visible(
        session, principal, m.Employee, pk, "employeeId", right=Right.MANAGE_WORKFLOW_EDITOR
    )
    set_id = None
    if command.component_set_id is not None:
        wanted = input_pk(command.component_set_id, "ComponentSet", "componentSetId")
        set_id = await components.component_set_of(session, wanted, employee.employer_id)
        if set_id is None:
            raise DomainError(
                ErrorCode.NOT_FOUND, "Componentenset niet gevonden.", ["componentSetId"]
            )
    changed = [
        what
        for what, old, new in (
            ("componentSet", employee.component_set_id, set_id),
            (
                "excludedFromDeclaring",
                employee.excluded_from_declaring,
                command.excluded_from_declaring,
            ),
        )
        if old != new
    ]
    employee.component_set_id = set_id
    employee.excluded_from_declaring = command.excluded_from_declaring
    if changed:
        administration.log(
            session,
            principal.user_id,
            "setEmployeeComponentSet",
            employee,
            provider_id=await component_sets.provider_of(session, employee.employer_id),
            employer_id=employee.employer_id,
            changed=changed,
            component_set_id=set_id,
        )
    return employee.id


async def resolve_set_employee_component_set(
    info: strawberry.Info, input: SetEmployeeComponentSetInput
) -> EmployeePayload:
    """Give an employee a deviating component set (such as the on-call workers' set), back the
    default set, or exclude the employee from declaring."""

    async def shown(employee_id: int) -> dict[str, m.Employee | None]:
        return {"employee": await info.context.loaders.employee_for_payload.load(employee_id)}

    command = SetEmployeeComponentSet(
        employee_id=input.employee_id,
        component_set_id=input.component_set_id,
        excluded_from_declaring=input.excluded_from_declaring,
    )
    return await mutate(info, set_employee_component_set, command, EmployeePayload, shown)


@dataclass(frozen=True)
class SetComponentLabel:
    component_id: str
    label: str | None = None  # None or blank: the component's name


async def set_component_label(
    session: Session, principal: Principal, command: SetComponentLabel
) -> m.Component:
    pk = input_pk(command.component_id, "Component", "componentId")
    component = await visible(session, principal, m.Component, pk, "componentId")
    text = (command.label or "").strip()
    label = validation.name(text, "label") if text else None
    if label != component.label:
        component.label = label
        administration.log(
            session,
            principal.user_id,
            "setComponentLabel",
            component,
            provider_id=await component_sets.provider_of(session, component.employer_id),
            employer_id=component.employer_id,
            changed=["label"],
        )
    return component


async def resolve_set_component_label(
    info: strawberry.Info, input: SetComponentLabelInput
) -> ComponentPayload:
    """Give a component an employee-friendly label ("Zakelijke kilometers")."""
    command = SetComponentLabel(component_id=input.component_id, label=input.label)
    return await mutate(
        info, set_component_label, command, ComponentPayload, lambda c: {"component": c}
    )
