"""Acting on a task from the task centre: complete, approve, reject (comment required), comment,
and bulk approval (DOMAIN.md section 5).

The instance row is locked before its state is read, so of two concurrent actions on one step
the second sees the first's result and is refused (TASK_ALREADY_DONE), never applied twice. Who
may act is resolved at this moment from today's users and role links (assignment.resolve). A
task decided meanwhile by someone else: see app/db/tasks.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import strawberry

from app.db import tasks
from app.db.instances import apply_action
from app.db.session import Session
from app.domain import limits, validation
from app.domain import workflow as engine
from app.domain.authz import Principal
from app.domain.errors import DomainError
from app.domain.limits import MAX_BULK
from app.schema.ids import input_pk
from app.schema.inputs.tasks import ApproveTasksInput, TaskActionInput
from app.schema.payloads.tasks import ApproveTasksPayload, TaskActionPayload, TaskResult
from app.schema.runner import failed, mutate


@dataclass(frozen=True)
class ActOnTask:
    task_id: str
    comment: str | None = None


class Acted(NamedTuple):
    task_id: int
    instance_id: int


async def _act(
    session: Session,
    principal: Principal,
    command: ActOnTask,
    make: Callable[[int, int, str | None], engine.Action],
) -> Acted:
    """Apply one action to the task."""
    pk = input_pk(command.task_id, "Task", "taskId")
    step = await tasks.task_to_act_on(session, principal, pk)
    action = make(step.position, principal.user_id, validation.comment_text(command.comment))
    row = await apply_action(session, step.instance_id, action, position=step.position)
    return Acted(step.id, row.id)


async def complete_task(session: Session, principal: Principal, command: ActOnTask) -> Acted:
    return await _act(session, principal, command, engine.Complete)


async def approve_task(session: Session, principal: Principal, command: ActOnTask) -> Acted:
    return await _act(session, principal, command, engine.Approve)


async def reject_task(session: Session, principal: Principal, command: ActOnTask) -> Acted:
    return await _act(session, principal, command, engine.Reject)


async def comment_on_task(session: Session, principal: Principal, command: ActOnTask) -> Acted:
    return await _act(session, principal, command, lambda p, a, c: engine.Comment(p, a, c or ""))


def _acted_fields(info: strawberry.Info) -> Callable[[Acted], Awaitable[dict[str, Any]]]:
    async def fields(acted: Acted) -> dict[str, Any]:
        loaders = info.context.loaders  # fresh after the write
        return {
            "task": await loaders.task.load(acted.task_id),
            "instance": await loaders.instance.load(acted.instance_id),
        }

    return fields


async def _run(info: strawberry.Info, use_case, input: TaskActionInput) -> TaskActionPayload:
    command = ActOnTask(task_id=input.task_id, comment=input.comment)
    return await mutate(info, use_case, command, TaskActionPayload, _acted_fields(info))


async def resolve_complete_task(info: strawberry.Info, input: TaskActionInput) -> TaskActionPayload:
    """Mark a task step done; the request moves on to its next step."""
    return await _run(info, complete_task, input)


async def resolve_approve_task(info: strawberry.Info, input: TaskActionInput) -> TaskActionPayload:
    """Approve an approval step; the request moves on to its next step."""
    return await _run(info, approve_task, input)


async def resolve_reject_task(info: strawberry.Info, input: TaskActionInput) -> TaskActionPayload:
    """Reject an approval step, with a comment saying why; the request ends as REJECTED."""
    return await _run(info, reject_task, input)


async def resolve_comment_on_task(
    info: strawberry.Info, input: TaskActionInput
) -> TaskActionPayload:
    """Add a comment to an open task or approval (kept in the audit trail); nothing moves."""
    return await _run(info, comment_on_task, input)


async def resolve_approve_tasks(
    info: strawberry.Info, input: ApproveTasksInput
) -> ApproveTasksPayload:
    """Approve many approval steps at once. Each task is its own transaction with its own
    result: one that cannot be approved (already done, not yours) does not stop the others."""
    ids = list(dict.fromkeys(input.task_ids))  # a task named twice is approved once
    try:
        limits.choose(len(ids), MAX_BULK, "taken", "taskIds")
    except DomainError as error:
        return failed(partial(ApproveTasksPayload, results=[], approved_count=0), error)
    results = [
        await mutate(
            info,
            approve_task,
            ActOnTask(task_id=task_id, comment=input.comment),
            partial(TaskResult, task_id=task_id),
            _acted_fields(info),
        )
        for task_id in ids
    ]
    approved = sum(1 for r in results if not r.errors)
    return ApproveTasksPayload(results=results, approved_count=approved, errors=[])
