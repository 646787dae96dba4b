"""The process overview's filter and sort, shared by `processOverview` and
`exportProcessOverview` (the download has the same rows as the screen)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from app.domain.overview import OverviewSort, SortDirection
from app.schema.enums import OverviewSort as OverviewSortEnum
from app.schema.enums import SortDirection as SortDirectionEnum
from app.schema.enums import WorkflowStatus, WorkflowType


@strawberry.input(
    description="Narrow the process overview; every field is optional. The component, value and "
    "payroll-period filters need `types: [EXPENSE_CLAIM]` (the declaration view)."
)
class ProcessOverviewFilter:
    types: list[WorkflowType] | None = None
    statuses: list[WorkflowStatus] | None = strawberry.field(
        default=None, description="Statuses of the chosen tab only."
    )
    employee_ids: list[strawberry.ID] | None = None
    employee_search: str | None = strawberry.field(
        default=None, description="Part of the employee's name, case-insensitive."
    )
    submitter_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="User IDs of submitters."
    )
    submitter_search: str | None = strawberry.field(
        default=None, description="Part of the submitter's name or username, case-insensitive."
    )
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = strawberry.field(default=None, description="Inclusive.")
    component_ids: list[strawberry.ID] | None = None
    value_min: Decimal | None = strawberry.field(default=None, description="Inclusive.")
    value_max: Decimal | None = strawberry.field(default=None, description="Inclusive.")
    payroll_periods: list[str] | None = strawberry.field(
        default=None,
        description="`YYYY-MM` or `YYYY-Pnn`, matched against `expenseClaim."
        "effectivePayrollPeriod` (booked, else asked), not `payrollPeriod`.",
    )
    employer_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The office-wide overview (no `employerId`) only."
    )


@strawberry.input(description="Default: newest submitted first.")
class ProcessOverviewSort:
    by: OverviewSortEnum = OverviewSort.SUBMITTED_AT
    direction: SortDirectionEnum = SortDirection.DESC
