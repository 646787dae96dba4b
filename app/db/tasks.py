"""Reads for acting on a task from the task centre (app/resolvers/act_on_task.py).

A task someone else just decided may have left the loser's scope with it (an approver without
process management sees a request only while it waits on them): whoever would be an assignee of
that step, had it still been open, learns TASK_ALREADY_DONE rather than NOT_FOUND. Anyone else
still gets NOT_FOUND, so no task is revealed to a user who never could have seen it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.definitions import version_steps
from app.db.instances import assignment, staff_at
from app.db.scoping import restrict
from app.domain.authz import Principal
from app.domain.errors import DomainError, ErrorCode, not_found
from app.domain.workflow import StepState


async def task_to_act_on(session: AsyncSession, principal: Principal, pk: int) -> m.InstanceStep:
    """Step `pk` if the principal may see it (through `restrict`); else TASK_ALREADY_DONE if it
    was theirs to act on and has closed since, or NOT_FOUND on `taskId`."""
    step = await session.scalar(
        restrict(select(m.InstanceStep).where(m.InstanceStep.id == pk), principal, m.InstanceStep)
    )
    if step is not None:
        return step
    if await was_theirs(session, principal, pk):
        raise DomainError(ErrorCode.TASK_ALREADY_DONE, "Deze taak is al afgehandeld.")
    raise not_found("InstanceStep", "taskId")


async def was_theirs(session: AsyncSession, principal: Principal, pk: int) -> bool:
    """Whether step `pk` was opened and has closed since, and the principal is one of those
    who may act on it (resolved now, as the task centre resolves it while a step is open)."""
    step = await session.get(m.InstanceStep, pk)
    if step is None or step.opened_at is None or step.state is StepState.OPEN:
        return False  # never opened (nobody's task yet), or open and simply not theirs
    row = await session.get(m.WorkflowInstance, step.instance_id)
    assert row is not None  # a step belongs to its request
    employee = await session.get(m.Employee, row.employee_id)
    assert employee is not None
    config = await version_steps(session, row.definition_version_id)
    staff = await staff_at(session, row.employer_id)
    return principal.user_id in assignment(row, config, step.position, staff, employee).actors
