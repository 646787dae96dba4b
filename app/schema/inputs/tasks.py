"""Inputs of the task mutations: acting on one task of the task centre, or approving many."""

from __future__ import annotations

import strawberry

from app.domain.limits import MAX_BULK


@strawberry.input
class TaskActionInput:
    task_id: strawberry.ID
    comment: str | None = strawberry.field(
        default=None, description="Required when rejecting and when commenting."
    )


@strawberry.input
class ApproveTasksInput:
    task_ids: list[strawberry.ID] = strawberry.field(description=f"1 to {MAX_BULK} tasks.")
    comment: str | None = None
