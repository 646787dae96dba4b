"""Process management (procesbeheer, DOMAIN.md section 6): the overview of requests per tab,
for one employer or, for office users, every employer they follow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

import strawberry

from app.db.queries import overview_page
from app.db.queries import process_overview as q
from app.domain import validation
from app.domain.errors import DomainError, ErrorCode, InvalidArgument
from app.domain.overview import (
    TAB_LABELS,
    TAB_STATUSES,
    OverviewSort,
    ProcessTab,
    SortDirection,
    columns,
)
from app.domain.workflow import STATUS_LABELS
from app.resolvers.task_centre import TypeCount
from app.schema.connection import Connection
from app.schema.enums import ColumnKind, OverviewColumn, WorkflowStatus, WorkflowType
from app.schema.enums import OverviewSort as OverviewSortEnum
from app.schema.enums import ProcessTab as ProcessTabEnum
from app.schema.enums import SortDirection as SortDirectionEnum
from app.schema.ids import decode_id
from app.schema.types.request import WorkflowInstance

MAX_IDS = 100
MAX_PERIODS = 24
SEARCH_MAX = 100
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
VALUE_LIMIT = Decimal("1000000000")


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
        rows = await self._counts(q.WI.status)
        return [StatusCount(status=s, label=STATUS_LABELS[s], count=n) for s, n in rows]

    @strawberry.field(description="Matching requests per workflow type.")
    async def counts_per_type(self) -> list[TypeCount]:
        return [TypeCount(type=t, count=n) for t, n in await self._counts(q.WI.type)]


def _refuse(message: str, *field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_VALUE, message, ["filter", *field] if field else None)


def _ids(values: list[str] | None, type_name: str, field: str) -> tuple[int, ...]:
    values = values or []
    if len(values) > MAX_IDS:
        raise _refuse(f"Kies hoogstens {MAX_IDS} waarden.", field)
    out = []
    for value in values:
        pk = decode_id(value, type_name)
        if pk is None:
            raise DomainError(ErrorCode.INVALID_ID, "Dit is geen geldig ID.", ["filter", field])
        out.append(pk)
    return tuple(dict.fromkeys(out))


def _search(value: str | None, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > SEARCH_MAX or not text.isprintable():
        raise _refuse(f"Zoek op hoogstens {SEARCH_MAX} gewone tekens.", field)
    return text or None


def _value(value: Decimal | None, field: str) -> Decimal | None:
    """A bound in cents: declared values have two decimals (and a database cannot take an
    exponent of -100000)."""
    if value is None:
        return None
    try:
        # Compared, not abs(): arithmetic on 1E+999999999 overflows the decimal context.
        if not (value.is_finite() and -VALUE_LIMIT < value < VALUE_LIMIT):
            raise _refuse("Kies een waarde kleiner dan een miljard.", field)
        return value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise _refuse("Dit is geen getal.", field) from None


def _periods(values: list[str]) -> tuple[str, ...]:
    if len(values) > MAX_PERIODS:
        raise _refuse(f"Kies hoogstens {MAX_PERIODS} perioden.", "payrollPeriods")
    try:
        return tuple(dict.fromkeys(str(validation.payroll_period(p)) for p in values))
    except DomainError as error:
        raise DomainError(error.code, error.message, ["filter", "payrollPeriods"]) from None


def overview_filter(
    tab: ProcessTab,
    employer_id: int | None,
    f: ProcessOverviewFilter | None,
    sort: ProcessOverviewSort | None,
) -> q.OverviewFilter:
    """The overview's filter from the API's input, or a DomainError naming the bad field."""
    f = f or ProcessOverviewFilter()
    sort = sort or ProcessOverviewSort()
    statuses = tuple(dict.fromkeys(f.statuses or ()))
    if wrong := [s for s in statuses if s not in TAB_STATUSES[tab]]:
        raise _refuse(
            f"De status '{STATUS_LABELS[wrong[0]]}' hoort niet bij het tabblad {TAB_LABELS[tab]}.",
            "statuses",
        )
    employer_ids = _ids(f.employer_ids, "Employer", "employerIds")
    if employer_ids and employer_id is not None:
        raise _refuse(
            "Filter op werkgevers alleen in het overzicht over alle werkgevers.", "employerIds"
        )
    for field, day in (("submittedFrom", f.submitted_from), ("submittedTo", f.submitted_to)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise _refuse("Kies een datum tussen 2000 en 2100.", field)
    if f.submitted_from and f.submitted_to and f.submitted_from > f.submitted_to:
        raise _refuse("De begindatum ligt na de einddatum.", "submittedFrom")
    value_min, value_max = _value(f.value_min, "valueMin"), _value(f.value_max, "valueMax")
    if value_min is not None and value_max is not None and value_min > value_max:
        raise _refuse("De ondergrens ligt boven de bovengrens.", "valueMin")
    result = q.OverviewFilter(
        tab=tab,
        employer_ids=(employer_id,) if employer_id is not None else employer_ids,
        types=tuple(dict.fromkeys(f.types or ())),
        statuses=statuses,
        employee_ids=_ids(f.employee_ids, "Employee", "employeeIds"),
        employee_search=_search(f.employee_search, "employeeSearch"),
        submitter_ids=_ids(f.submitter_ids, "User", "submitterIds"),
        submitter_search=_search(f.submitter_search, "submitterSearch"),
        submitted_from=f.submitted_from,
        submitted_to=f.submitted_to,
        component_ids=_ids(f.component_ids, "Component", "componentIds"),
        value_min=value_min,
        value_max=value_max,
        payroll_periods=_periods(f.payroll_periods or []),
        sort=OverviewSort(sort.by),
        descending=sort.direction is SortDirection.DESC,
    )
    if result.filters_declarations and not result.declarations:
        raise _refuse(
            "Filter op component, waarde of verloningsperiode alleen met als proces "
            "uitsluitend 'Declaratie medewerker'.",
            "types",
        )
    return result


def overview_columns(f: q.OverviewFilter, provider_wide: bool) -> list[OverviewColumnInfo]:
    return [
        OverviewColumnInfo(column=c.column, header=c.header, kind=c.kind)
        for c in columns(f.tab, declarations=f.declarations, provider_wide=provider_wide)
    ]


async def process_overview(
    info: strawberry.Info,
    tab: ProcessTabEnum,
    employer_id: strawberry.ID | None = None,
    filter: ProcessOverviewFilter | None = None,
    sort: ProcessOverviewSort | None = None,
    first: int | None = None,
    after: str | None = None,
) -> WorkflowInstanceConnection:
    """The requests of an employer in process management: `OPEN` (in progress) or
    `HISTORICAL` (completed, rejected, processed, withdrawn), with who must act next. Without
    `employerId` (office users): every employer where you hold the right, with the employer as
    a column. Department managers see their departments' employees only, whatever the filter.
    `columns` says what to show; `exportProcessOverview` downloads the same rows to Excel."""
    ctx = info.context
    principal = ctx.require_principal()
    pk = decode_id(employer_id, "Employer") if employer_id is not None else None
    try:
        f = overview_filter(ProcessTab(tab), pk, filter, sort)
    except DomainError as error:
        raise InvalidArgument(error.message) from None
    page = await overview_page.page(ctx, principal, f, first=first, after=after)

    async def counts(column):
        return await ctx.rows(q.counts(principal, f, column))

    return WorkflowInstanceConnection.of(
        page,
        tab_label=TAB_LABELS[f.tab],
        columns=overview_columns(f, provider_wide=employer_id is None),
        _counts=counts,
    )
