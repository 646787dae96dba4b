"""The task centre's filter."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.schema.enums import StepKind, WorkflowType


@strawberry.input(description="Narrow the task centre; every field is optional.")
class TaskCentreFilter:
    employer_id: strawberry.ID | None = None
    types: list[WorkflowType] | None = None
    kinds: list[StepKind] | None = strawberry.field(default=None, description="TASK or APPROVAL.")
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = strawberry.field(default=None, description="Inclusive.")
    employee_search: str | None = strawberry.field(
        default=None, description="Part of the employee's name, case-insensitive."
    )
