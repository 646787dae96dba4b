"""Read model of process management (procesbeheer, DOMAIN.md section 6): the requests of one
employer, or of every employer an office user may follow, per tab, filtered and sorted.

The screen and the Excel download both read through `overview()`: the same scope (process
management's, `scoping.managed_instance`), the same filters, the same order. Pages are keyset
paginated (app/db/queries/overview_page.py), every sort on an index walk in its order: of one
employer (employer, status | submitted_at | type, ...), of several (status, submitted_at, id)
and (submitted_at, id), by employee the employees by name, then each one's requests by
(employee, [status,] id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from app.db import models as m
from app.db.queries.pagination import OrderColumn
from app.db.scoping import managed_instance, restrict
from app.db.scoping_conditions import OnEmployee
from app.db.session import AnySelect
from app.domain.authz import Principal, Right
from app.domain.catalogue import WorkflowType
from app.domain.overview import (
    OverviewSort,
    ProcessTab,
    is_declaration_view,
    start_of_day,
)
from app.domain.workflow import InstanceStatus

WI, EC = m.WorkflowInstance, m.ExpenseClaim
Submitter = aliased(m.User, name="submitter")


@dataclass(frozen=True)
class OverviewFilter:
    tab: ProcessTab
    employer_ids: tuple[int, ...] = ()  # empty: every employer in the viewer's scope
    types: tuple[WorkflowType, ...] = ()
    statuses: tuple[InstanceStatus, ...] = ()  # within the tab
    employee_ids: tuple[int, ...] = ()
    employee_search: str | None = None
    submitter_ids: tuple[int, ...] = ()
    submitter_search: str | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None  # inclusive
    # Declarations only (the filter is on EXPENSE_CLAIM alone):
    component_ids: tuple[int, ...] = ()
    value_min: Decimal | None = None
    value_max: Decimal | None = None
    payroll_periods: tuple[str, ...] = ()
    sort: OverviewSort = OverviewSort.SUBMITTED_AT
    descending: bool = True

    @property
    def declarations(self) -> bool:
        return is_declaration_view(self.types)

    @property
    def filters_declarations(self) -> bool:
        return bool(
            self.component_ids
            or self.value_min is not None
            or self.value_max is not None
            or self.payroll_periods
        )


def payroll_period() -> ColumnElement[Any]:
    """The period a declaration belongs to: where it was booked, else where it was asked."""
    return func.coalesce(EC.processed_period, EC.payroll_period)


def like(column: SQLColumnExpression[Any], text: str) -> ColumnElement[bool]:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def overview(
    principal: Principal,
    f: OverviewFilter,
    columns: Sequence[Any] = (WI,),
    *,
    joins: Iterable[str] = (),
) -> AnySelect:
    """The requests matching `f` in the viewer's process-management scope (unordered).
    `joins` names the extra tables `columns` need: "employee", "submitter", "claim"."""
    needed = set(joins)
    if f.employee_search or f.sort is OverviewSort.EMPLOYEE:
        needed.add("employee")
    if f.submitter_search:
        needed.add("submitter")
    if f.declarations or f.filters_declarations:
        needed.add("claim")

    stmt = select(*columns).select_from(WI)
    if "employee" in needed:
        # The employer equality is implied; stated, it lets PostgreSQL walk the employees of
        # that employer by name (ix_employees_employer_name_id) when sorting by employee.
        stmt = stmt.join(
            m.Employee,
            and_(m.Employee.id == WI.employee_id, m.Employee.employer_id == WI.employer_id),
        ).where(*managed_employees(principal, f))
    if "submitter" in needed:
        stmt = stmt.join(Submitter, Submitter.id == WI.submitter_id)
    if "claim" in needed:
        stmt = stmt.join(EC, EC.instance_id == WI.id)
    stmt = restrict(stmt, principal, WI, right=Right.PROCESS_MANAGEMENT)

    # The tab as `=` / `<>` on status: both are served by plain (not partial) indexes, so
    # PostgreSQL's generic plans for bound parameters use them too.
    if f.tab is ProcessTab.OPEN:
        stmt = stmt.where(WI.status == InstanceStatus.IN_PROGRESS)
    else:
        stmt = stmt.where(WI.status != InstanceStatus.IN_PROGRESS)
    if f.employer_ids:
        stmt = stmt.where(WI.employer_id.in_(f.employer_ids))
    if f.statuses:
        stmt = stmt.where(WI.status.in_(f.statuses))
    if f.types:
        stmt = stmt.where(WI.type.in_(f.types))
    if f.employee_ids:
        stmt = stmt.where(WI.employee_id.in_(f.employee_ids))
    if f.employee_search:
        stmt = stmt.where(like(m.Employee.name, f.employee_search))
    if f.submitter_ids:
        stmt = stmt.where(WI.submitter_id.in_(f.submitter_ids))
    if f.submitter_search:
        stmt = stmt.where(
            or_(
                like(Submitter.display_name, f.submitter_search),
                like(Submitter.username, f.submitter_search),
            )
        )
    if f.submitted_from is not None:
        stmt = stmt.where(WI.submitted_at >= start_of_day(f.submitted_from))
    if f.submitted_to is not None:
        stmt = stmt.where(WI.submitted_at < start_of_day(f.submitted_to + dt.timedelta(days=1)))
    if f.component_ids:
        stmt = stmt.where(EC.component_id.in_(f.component_ids))
    if f.value_min is not None:
        stmt = stmt.where(EC.value >= f.value_min)
    if f.value_max is not None:
        stmt = stmt.where(EC.value <= f.value_max)
    if f.payroll_periods:
        stmt = stmt.where(payroll_period().in_(f.payroll_periods))
    return stmt


def managed_employees(principal: Principal, f: OverviewFilter) -> list[ColumnElement[bool]]:
    """Process management's scope and the chosen employers on the employee row (the scope's
    columns are its employer and itself). Implied by the same on the requests; stated, a walk
    of the employees by name skips those outside it (other employers', a manager's other
    departments) instead of reading their requests to find none."""
    E = m.Employee
    row = OnEmployee(employer_id=E.employer_id, employee_id=E.id)
    where = [managed_instance(principal, row)]
    return [*where, E.employer_id.in_(f.employer_ids)] if f.employer_ids else where


def order(f: OverviewFilter) -> tuple[OrderColumn, ...]:
    """The sort columns, ending in the unique instance id (keyset pagination)."""
    if f.sort is OverviewSort.EMPLOYEE:
        # The employee id between name and request: names are not unique, and with it the
        # order is (employer, name, id) of employees, then (employee, id) of their requests:
        # two index walks that stop after a page. `employees.id`, not the equal
        # `workflow_instances.employee_id`: SQLite sees the order of the outer walk only in
        # the outer table's columns, and otherwise sorts each employee's requests.
        return (m.Employee.name, m.Employee.id, WI.id)
    if f.sort is OverviewSort.STATUS:
        return (WI.status, WI.submitted_at, WI.id)
    return (WI.submitted_at, WI.id)


def row_key(f: OverviewFilter) -> Callable[[Any], tuple[Any, ...]]:
    if f.sort is OverviewSort.EMPLOYEE:
        return lambda row: (row[1], row[0].employee_id, row[0].id)
    if f.sort is OverviewSort.STATUS:
        return lambda row: (row[0].status, row[0].submitted_at, row[0].id)
    return lambda row: (row[0].submitted_at, row[0].id)


def count_of(principal: Principal, f: OverviewFilter, limit: int | None = None) -> AnySelect:
    """How many requests match (up to `limit`: enough to tell small from large)."""
    stmt = overview(principal, f)
    if limit is not None:
        stmt = stmt.limit(limit)
    return select(func.count()).select_from(stmt.subquery())


count = count_of


def counts(principal: Principal, f: OverviewFilter, column: Any) -> AnySelect:
    """Matches per value of `column` (WI.status or WI.type), whatever the sort."""
    unsorted = replace(f, sort=OverviewSort.SUBMITTED_AT)
    return overview(principal, unsorted, (column, func.count())).group_by(column).order_by(column)


# --- the Excel download: the same rows, with what each column shows ---------------------------

EXPORT_COLUMNS = (
    WI.id,
    WI.employer_id,
    m.Employer.name.label("employer_name"),
    m.Employee.name.label("employee_name"),
    m.Employee.department_id,
    m.Employee.person_id,
    m.Employee.deviating_approver_id,
    Submitter.display_name.label("submitter_name"),
    WI.submitter_id,
    WI.submitted_at,
    WI.type,
    WI.status,
    WI.definition_version_id,
    WI.open_position,
)
CLAIM_COLUMNS = (
    m.Component.name.label("component_name"),
    m.Component.unit.label("component_unit"),
    EC.value,
    payroll_period().label("payroll_period"),
)


def export_rows(principal: Principal, f: OverviewFilter) -> AnySelect:
    """Every matching request with the values of its columns, in the overview's order."""
    columns = EXPORT_COLUMNS + (CLAIM_COLUMNS if f.declarations else ())
    stmt = overview(principal, f, columns, joins=("employee", "submitter"))
    stmt = stmt.join(m.Employer, m.Employer.id == WI.employer_id)
    if f.declarations:
        stmt = stmt.join(m.Component, m.Component.id == EC.component_id)
    sort = order(f)
    return stmt.order_by(*(c.desc() if f.descending else c.asc() for c in sort))


# --- a filter kept with an export, to run the same query later in any process -----------------


def filter_to_json(f: OverviewFilter) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        if isinstance(value, (dt.date, Decimal)):
            return str(value)
        return value

    return {k: plain(v) for k, v in asdict(f).items()}


def filter_from_json(data: dict[str, Any]) -> OverviewFilter:
    """The filter kept with an export; a field it lacks (written before the field existed)
    takes its default."""
    get = data.get

    def day(v: str | None) -> dt.date | None:
        return dt.date.fromisoformat(v) if v else None

    def number(v: str | None) -> Decimal | None:
        return Decimal(v) if v is not None else None

    return OverviewFilter(
        tab=ProcessTab(data["tab"]),
        employer_ids=tuple(get("employer_ids", ())),
        types=tuple(WorkflowType(t) for t in get("types", ())),
        statuses=tuple(InstanceStatus(s) for s in get("statuses", ())),
        employee_ids=tuple(get("employee_ids", ())),
        employee_search=get("employee_search"),
        submitter_ids=tuple(get("submitter_ids", ())),
        submitter_search=get("submitter_search"),
        submitted_from=day(get("submitted_from")),
        submitted_to=day(get("submitted_to")),
        component_ids=tuple(get("component_ids", ())),
        value_min=number(get("value_min")),
        value_max=number(get("value_max")),
        payroll_periods=tuple(get("payroll_periods", ())),
        sort=OverviewSort(get("sort", OverviewSort.SUBMITTED_AT)),
        descending=get("descending", True),
    )
