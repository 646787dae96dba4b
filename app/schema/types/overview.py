"""Process management's overview (procesbeheer, DOMAIN.md section 6): its connection, with the
columns to show and the counts per status and type."""

from __future__ import annotations

import strawberry

from app.db.queries.process_overview import WI, OverviewFilter
from app.domain.overview import columns
from app.domain.workflow import STATUS_LABELS
from app.schema.connection import Connection
from app.schema.enums import ColumnKind, OverviewColumn, WorkflowStatus
from app.schema.types.request import WorkflowInstance
from app.schema.types.task_centre import TypeCount

# Which field of a row each column shows: the Excel writer (app/export/rows.py) writes the
# same values, so a frontend that follows this shows what the download holds.
COLUMN_FIELDS = (
    "EMPLOYER `employer.name`, EMPLOYEE `employee.name`, SUBMITTER `submitter.displayName`, "
    "SUBMITTED_AT `submittedAt`, PROCESS `displayName`, STATUS `statusLabel`, NEXT_ACTION_BY "
    "`nextActionBy`, COMPONENT `expenseClaim.component.name` (the payroll name, not the "
    "employee-facing `label`), VALUE `expenseClaim.value` (in `component.unit`), "
    "PAYROLL_PERIOD `expenseClaim.effectivePayrollPeriod`."
)


@strawberry.type(description="A column of the active overview, in screen order.")
class OverviewColumnInfo:
    column: OverviewColumn = strawberry.field(
        description=f"The row field it shows: {COLUMN_FIELDS}"
    )
    header: str = strawberry.field(description="Dutch, as on screen and in the Excel file.")
    kind: ColumnKind


@strawberry.type
class StatusCount:
    status: WorkflowStatus
    label: str
    count: int


# Named after its node, as API.md fixes it; the counts and columns are what process management
# adds to a plain connection.
@strawberry.type(description="Requests in process management, in the chosen order.")
class WorkflowInstanceConnection(Connection[WorkflowInstance]):
    tab_label: str = strawberry.field(description="Openstaand or Historisch.")
    columns: list[OverviewColumnInfo] = strawberry.field(
        description="The columns to show, in order: the Excel download has exactly these."
    )
    _counts: strawberry.Private[object]

    @strawberry.field(description="Matching requests per status (statuses with none left out).")
    async def counts_per_status(self) -> list[StatusCount]:
        rows = await self._counts(WI.status)
        return [StatusCount(status=s, label=STATUS_LABELS[s], count=n) for s, n in rows]

    @strawberry.field(description="Matching requests per workflow type.")
    async def counts_per_type(self) -> list[TypeCount]:
        return [TypeCount(type=t, count=n) for t, n in await self._counts(WI.type)]


def overview_columns(f: OverviewFilter, provider_wide: bool) -> list[OverviewColumnInfo]:
    return [
        OverviewColumnInfo(column=c.column, header=c.header, kind=c.kind)
        for c in columns(f.tab, declarations=f.declarations, provider_wide=provider_wide)
    ]
