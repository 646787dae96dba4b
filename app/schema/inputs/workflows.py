"""Inputs of the workflow editor's mutations: switching workflows on and off, their steps."""

from __future__ import annotations

import strawberry

from app.schema.enums import StepKind, UserType, WorkflowType


@strawberry.input
class SetWorkflowActiveInput:
    employer_id: strawberry.ID
    type: WorkflowType
    active: bool


@strawberry.input(
    description="One step. Give exactly one assignee: roleId, userType, userIds "
    "(expense claims, restricted mode) or allUsers (expense claims)."
)
class WorkflowStepInput:
    kind: StepKind
    name: str
    role_id: strawberry.ID | None = None
    user_type: UserType | None = strawberry.field(
        default=None, description="EMPLOYER, DEPARTMENT_MANAGER (of the employee) or PROVIDER."
    )
    user_ids: list[strawberry.ID] | None = None
    all_users: bool | None = strawberry.field(
        default=None,
        description="Expense claims: the department's managers, else all employer users; the "
        "office's provider users may also approve.",
    )
    send_email: bool | None = strawberry.field(
        default=None, description="Null: on for notifications (always), off for tasks/approvals."
    )


@strawberry.input
class UpdateWorkflowStepsInput:
    definition_id: strawberry.ID
    steps: list[WorkflowStepInput]
