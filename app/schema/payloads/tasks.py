"""Payloads of the task mutations: the task acted on and its request, one result per task of a
bulk approval."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.request import Task, WorkflowInstance


@strawberry.type
class TaskActionPayload:
    task: Task | None = None
    instance: WorkflowInstance | None = None
    errors: list[UserError]


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
