"""What every submission does the same way (DOMAIN.md section 5): find the employment, check the
workflow is on, pin the definition version in force, start the engine, and honour the
idempotency key, all in one transaction."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.definitions import newest_version_id, version_steps
from app.db.instances import carry_out
from app.db.scoping import restrict
from app.domain import validation
from app.domain.authz import Principal, Right
from app.domain.catalogue import PRODUCT_NAMES, WORKFLOW_TYPES, WorkflowType, missing_products
from app.domain.errors import DomainError, ErrorCode
from app.domain.workflow import InstanceStatus, StepState, start
from app.resolvers.common import get_visible, input_pk, write
from app.schema.errors import UserError
from app.schema.types.request import WorkflowInstance


@strawberry.type
class SubmitRequestPayload:
    instance: WorkflowInstance | None = None
    errors: list[UserError]


@dataclass
class Request:
    """What a submission asks for, once its input is checked."""

    change: dict[str, Any] | None = None
    claim: dict[str, Any] | None = field(default=None)  # ExpenseClaim columns


Build = Callable[[AsyncSession, m.Employee], Awaitable[Request]]


async def own_employment(
    session: AsyncSession, principal: Principal, employee_id: str | None
) -> m.Employee:
    """The employment the signed-in MijnLoket account submits for: the only one, or the one
    named (required when the account is linked to several)."""
    stmt = select(m.Employee).where(m.Employee.mijnloket_account_id == principal.user_id)
    if employee_id is not None:
        stmt = stmt.where(m.Employee.id == input_pk(employee_id, "Employee", "employeeId"))
    rows = list(await session.scalars(restrict(stmt, principal, m.Employee)))
    if not rows:
        raise DomainError(ErrorCode.NOT_FOUND, "Dienstverband niet gevonden.", ["employeeId"])
    if len(rows) > 1:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            "U heeft meerdere dienstverbanden; kies voor welk dienstverband dit is.",
            ["employeeId"],
        )
    return rows[0]


async def managed_employee(
    session: AsyncSession, principal: Principal, employee_id: str
) -> m.Employee:
    """The employee a management action is for: visible under VIEW_EMPLOYEES (department
    managers: their departments), and never oneself."""
    pk = input_pk(employee_id, "Employee", "employeeId")
    employee = await get_visible(
        session, principal, m.Employee, pk, "employeeId", right=Right.VIEW_EMPLOYEES
    )
    if principal.person_id is not None and employee.person_id == principal.person_id:
        raise DomainError(
            ErrorCode.SELF_APPROVAL,
            "U kunt geen managementactie voor uw eigen dienstverband starten.",
            ["employeeId"],
        )
    return employee


async def _pinned_version(session, employer_id: int, workflow: WorkflowType) -> int:
    """The definition version in force, or why no request of this type can start now."""
    name = WORKFLOW_TYPES[workflow].display_name
    active = await session.scalars(
        select(m.ProductActivation.product).where(
            m.ProductActivation.employer_id == employer_id, m.ProductActivation.active
        )
    )
    if missing := missing_products(workflow, active):
        names = ", ".join(PRODUCT_NAMES[p] for p in missing)
        raise DomainError(
            ErrorCode.PRODUCT_REQUIRED,
            f"'{name}' is bij uw werkgever niet beschikbaar; nodig: {names}.",
        )
    definition = await session.scalar(
        select(m.WorkflowDefinition).where(
            m.WorkflowDefinition.employer_id == employer_id, m.WorkflowDefinition.type == workflow
        )
    )
    version_id = None
    if definition is not None and definition.active:
        version_id = await newest_version_id(session, definition.id)
    if version_id is None:
        raise DomainError(
            ErrorCode.WORKFLOW_NOT_ACTIVE, f"De workflow '{name}' staat bij uw werkgever uit."
        )
    return version_id


def _fingerprint(workflow: WorkflowType, input: Any) -> str:
    """What was asked, as submitted (without the key): a retry must ask the same."""
    fields = {k: v for k, v in dataclasses.asdict(input).items() if k != "idempotency_key"}
    text = json.dumps([workflow.value, fields], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


async def _earlier(session, principal: Principal, key: str, fingerprint: str) -> int | None:
    row = await session.scalar(
        select(m.WorkflowInstance).where(
            m.WorkflowInstance.submitter_id == principal.user_id,
            m.WorkflowInstance.idempotency_key == key,
        )
    )
    if row is None:
        return None
    if row.request_fingerprint != fingerprint:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            "Deze idempotentiesleutel is al gebruikt voor een andere aanvraag.",
            ["idempotencyKey"],
        )
    return row.id


async def submit(
    info: strawberry.Info,
    workflow: WorkflowType,
    *,
    input: Any,
    build: Build,
) -> SubmitRequestPayload:
    """Submit a request of `workflow` from a strawberry `input` (with `employee_id` and
    `idempotency_key`); `build` checks the input against the employee."""
    employee_id, idempotency_key = input.employee_id, input.idempotency_key
    fingerprint = _fingerprint(workflow, input)
    self_service = workflow not in (
        WorkflowType.CONTRACT_EXTENSION,
        WorkflowType.EMPLOYMENT_TERMINATION,
    )

    async def apply(session: AsyncSession, principal: Principal) -> int:
        key = validation.idempotency_key(idempotency_key)
        if key is not None and (earlier := await _earlier(session, principal, key, fingerprint)):
            return earlier
        if self_service:
            employee = await own_employment(session, principal, employee_id)
        else:
            employee = await managed_employee(session, principal, employee_id or "")
        version_id = await _pinned_version(session, employee.employer_id, workflow)
        config = await version_steps(session, version_id)
        request = await build(session, employee)
        row = m.WorkflowInstance(
            employer_id=employee.employer_id,
            employee_id=employee.id,
            type=workflow,
            definition_version_id=version_id,
            status=InstanceStatus.IN_PROGRESS,
            submitter_id=principal.user_id,
            idempotency_key=key,
            request_fingerprint=fingerprint if key is not None else None,
            change=request.change,
        )
        session.add(row)
        await session.flush()
        if request.claim is not None:
            session.add(m.ExpenseClaim(instance_id=row.id, **request.claim))
        steps = [
            m.InstanceStep(instance_id=row.id, position=i, kind=s.kind, state=StepState.PENDING)
            for i, s in enumerate(config, start=1)
        ]
        session.add_all(steps)
        await session.flush()
        transition = start(workflow, config, principal.user_id)
        await carry_out(session, row, steps, config, transition, employee, submitted=True)
        return row.id

    try:
        instance_id = await write(info, apply)
    except DomainError as error:
        return SubmitRequestPayload(errors=[UserError.of(error)])
    instance = await info.context.loaders.instance.load(instance_id)
    return SubmitRequestPayload(instance=instance, errors=[])
