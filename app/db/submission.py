"""What every submission does the same way (DOMAIN.md section 5): find the employment, check the
workflow is on, pin the definition version in force, start the engine, and honour the
idempotency key, all in the caller's one transaction. The decisions are app/domain/submission.py;
each request type's use case (app/resolvers/submit_*.py) adds what it asks for (`build`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.definitions import newest_version_id, version_steps
from app.db.instances import carry_out
from app.db.lookup import visible
from app.db.scoping import restrict
from app.domain import submission as rules
from app.domain import validation
from app.domain.authz import Principal, Right
from app.domain.catalogue import WorkflowType
from app.domain.submission import Request
from app.domain.workflow import InstanceStatus, StepState, start

# What a request of one type asks for, checked against the employee it is for.
Build = Callable[[AsyncSession, m.Employee], Awaitable[Request]]


async def own_employment(
    session: AsyncSession, principal: Principal, employee_pk: int | None
) -> m.Employee:
    """The employment the signed-in MijnLoket account submits for: the only one, or the one
    named (required when the account is linked to several)."""
    stmt = select(m.Employee).where(m.Employee.mijnloket_account_id == principal.user_id)
    if employee_pk is not None:
        stmt = stmt.where(m.Employee.id == employee_pk)
    rows = list(await session.scalars(restrict(stmt, principal, m.Employee)))
    return rules.only_employment(rows)


async def managed_employee(
    session: AsyncSession, principal: Principal, employee_pk: int
) -> m.Employee:
    """The employee a management action is for: visible under VIEW_EMPLOYEES (department
    managers: their departments), and never oneself."""
    employee: m.Employee = await visible(
        session, principal, m.Employee, employee_pk, "employeeId", right=Right.VIEW_EMPLOYEES
    )
    rules.not_own_employment(principal, employee.person_id)
    return employee


async def pinned_version(session: AsyncSession, employer_id: int, workflow: WorkflowType) -> int:
    """The definition version in force, or why no request of this type can start now."""
    active = await session.scalars(
        select(m.ProductActivation.product).where(
            m.ProductActivation.employer_id == employer_id, m.ProductActivation.active
        )
    )
    rules.products_present(workflow, active)
    definition = await session.scalar(
        select(m.WorkflowDefinition).where(
            m.WorkflowDefinition.employer_id == employer_id, m.WorkflowDefinition.type == workflow
        )
    )
    version_id = None
    if definition is not None and definition.active:
        version_id = await newest_version_id(session, definition.id)
    if version_id is None:
        raise rules.workflow_off(workflow)
    return version_id


async def earlier(
    session: AsyncSession, principal: Principal, key: str, fingerprint: str
) -> int | None:
    """The request this account already submitted with `key` (asking the same), if any."""
    row = await session.scalar(
        select(m.WorkflowInstance).where(
            m.WorkflowInstance.submitter_id == principal.user_id,
            m.WorkflowInstance.idempotency_key == key,
        )
    )
    if row is None:
        return None
    rules.same_request(row.request_fingerprint, fingerprint)
    return row.id


async def submit(
    session: AsyncSession,
    principal: Principal,
    workflow: WorkflowType,
    asked: Any,
    *,
    employee_pk: Callable[[], int | None],
    build: Build,
) -> int:
    """Submit a request of `workflow`; its id. `asked` is the use case's command (a dataclass
    with `idempotency_key`: the fingerprint is taken of its other fields); `employee_pk()`
    decodes the employee it names (called only once the key has been looked at); `build`
    checks the request against the employee."""
    fingerprint = rules.fingerprint(workflow, asked)
    key = validation.idempotency_key(asked.idempotency_key)
    if key is not None and (found := await earlier(session, principal, key, fingerprint)):
        return found
    if workflow in rules.MANAGEMENT_ACTIONS:
        pk = employee_pk()
        assert pk is not None, "a management action names its employee"
        employee = await managed_employee(session, principal, pk)
    else:
        employee = await own_employment(session, principal, employee_pk())
    version_id = await pinned_version(session, employee.employer_id, workflow)
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
