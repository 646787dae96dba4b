"""Acting on a task from the task centre: complete, approve, reject (comment required), comment,
and bulk approval (DOMAIN.md section 5).

The instance row is locked before its state is read, so of two concurrent actions on one step
the second sees the first's result and is refused (TASK_ALREADY_DONE), never applied twice. Who
may act is resolved at this moment from today's users and role links (assignment.resolve).

A task someone else just decided may have left the loser's scope with it (an approver without
process management sees a request only while it waits on them): whoever would be an assignee of
that step, had it still been open, learns TASK_ALREADY_DONE rather than NOT_FOUND. Anyone else
still gets NOT_FOUND, so no task is revealed to a user who never could have seen it.
"""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.definitions import version_steps
from app.db.instances import apply_action, assignment, staff_at
from app.domain import validation
from app.domain import workflow as engine
from app.domain.authz import Principal
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import get_visible, input_pk, write
from app.schema.errors import UserError
from app.schema.types.request import Task, WorkflowInstance

MAX_BULK = 100


@strawberry.input
class TaskActionInput:
    task_id: strawberry.ID
    comment: str | None = strawberry.field(
        default=None, description="Required when rejecting and when commenting."
    )


@strawberry.type
class TaskActionPayload:
    task: Task | None = None
    instance: WorkflowInstance | None = None
    errors: list[UserError]


async def act_on_task(
    session: AsyncSession,
    principal: Principal,
    task_id: str,
    make: Callable[[int, int, str | None], engine.Action],
    comment: str | None,
) -> tuple[int, int]:
    """Apply one action to the task; (task pk, instance pk)."""
    pk = input_pk(task_id, "Task", "taskId")
    try:
        step = await get_visible(session, principal, m.InstanceStep, pk, "taskId")
    except DomainError as error:
        if error.code is ErrorCode.NOT_FOUND and await _was_theirs(session, principal, pk):
            raise DomainError(ErrorCode.TASK_ALREADY_DONE, "Deze taak is al afgehandeld.") from None
        raise
    action = make(step.position, principal.user_id, validation.comment_text(comment))
    row = await apply_action(session, step.instance_id, action, position=step.position)
    return step.id, row.id


async def _was_theirs(session: AsyncSession, principal: Principal, pk: int) -> bool:
    """Whether step `pk` was opened and has closed since, and the principal is one of those
    who may act on it (resolved now, as the task centre resolves it while a step is open)."""
    step = await session.get(m.InstanceStep, pk)
    if step is None or step.opened_at is None or step.state is engine.StepState.OPEN:
        return False  # never opened (nobody's task yet), or open and simply not theirs
    row = await session.get(m.WorkflowInstance, step.instance_id)
    employee = await session.get(m.Employee, row.employee_id)
    config = await version_steps(session, row.definition_version_id)
    staff = await staff_at(session, row.employer_id)
    return principal.user_id in assignment(row, config, step.position, staff, employee).actors


async def _run(info, input: TaskActionInput, make) -> TaskActionPayload:
    async def apply(session, principal):
        return await act_on_task(session, principal, input.task_id, make, input.comment)

    try:
        task_pk, instance_pk = await write(info, apply)
    except DomainError as error:
        return TaskActionPayload(errors=[UserError.of(error)])
    loaders = info.context.loaders  # fresh after the write
    return TaskActionPayload(
        task=await loaders.task.load(task_pk),
        instance=await loaders.instance.load(instance_pk),
        errors=[],
    )


async def complete_task(info: strawberry.Info, input: TaskActionInput) -> TaskActionPayload:
    """Mark a task step done; the request moves on to its next step."""
    return await _run(info, input, engine.Complete)


async def approve_task(info: strawberry.Info, input: TaskActionInput) -> TaskActionPayload:
    """Approve an approval step; the request moves on to its next step."""
    return await _run(info, input, engine.Approve)


async def reject_task(info: strawberry.Info, input: TaskActionInput) -> TaskActionPayload:
    """Reject an approval step, with a comment saying why; the request ends as REJECTED."""
    return await _run(info, input, engine.Reject)


async def comment_on_task(info: strawberry.Info, input: TaskActionInput) -> TaskActionPayload:
    """Add a comment to an open task or approval (kept in the audit trail); nothing moves."""
    return await _run(info, input, lambda p, a, c: engine.Comment(p, a, c or ""))


@strawberry.input
class ApproveTasksInput:
    task_ids: list[strawberry.ID] = strawberry.field(description=f"1 to {MAX_BULK} tasks.")
    comment: str | None = None


@strawberry.type
class TaskResult:
    task_id: strawberry.ID
    task: Task | None = None
    instance: WorkflowInstance | None = None
    errors: list[UserError]


@strawberry.type
class ApproveTasksPayload:
    results: list[TaskResult]
    approved_count: int
    errors: list[UserError]


async def approve_tasks(info: strawberry.Info, input: ApproveTasksInput) -> ApproveTasksPayload:
    """Approve many approval steps at once. Each task is its own transaction with its own
    result: one that cannot be approved (already done, not yours) does not stop the others."""
    ids = list(dict.fromkeys(input.task_ids))  # a task named twice is approved once
    if not 1 <= len(ids) <= MAX_BULK:
        error = DomainError(ErrorCode.INVALID_VALUE, f"Kies 1 tot {MAX_BULK} taken.", ["taskIds"])
        return ApproveTasksPayload(results=[], approved_count=0, errors=[UserError.of(error)])
    results = []
    for task_id in ids:
        payload = await _run(
            info, TaskActionInput(task_id=task_id, comment=input.comment), engine.Approve
        )
        results.append(
            TaskResult(
                task_id=task_id,
                task=payload.task,
                instance=payload.instance,
                errors=payload.errors,
            )
        )
    approved = sum(1 for r in results if not r.errors)
    return ApproveTasksPayload(results=results, approved_count=approved, errors=[])
