"""One page of the process overview, on an index walk in the page's order that stops after
the page, on page 1 and page 20,000 alike (app/db/queries/process_overview.py builds the
statement: scope, filters, order). Sorted by employee, the employees are walked by name and each
one's requests by (employee, [status,] id); SQLite is told the index where it would choose
another without statistics (`sqlite_indexes`), PostgreSQL walks each employee's requests in a
LATERAL sub-query (`_by_employee`). See bench/process_overview.py and bench/README.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol

from sqlalchemy import BigInteger, ColumnElement, and_, case, literal, select, true, tuple_
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import aliased

from app.db import models as m
from app.db.queries.pagination import Page, keyset_page, page_size
from app.db.queries.process_overview import (
    WI,
    OverviewFilter,
    count_of,
    like,
    managed_employees,
    order,
    overview,
    row_key,
)
from app.db.session import AnySelect
from app.domain.authz import Principal, Right
from app.domain.overview import TAB_STATUSES, OverviewSort, ProcessTab
from app.domain.workflow import InstanceStatus


def spans_employers(principal: Principal, f: OverviewFilter) -> bool:
    """The page's statement does not pin one employer (`employer_id = ?`): several chosen, or
    none chosen and the viewer's scope is the office's sub-query or several employers. No
    employer then leads an index walk; the (status, ...), (submitted_at, ...) and employee
    name indexes give the order instead."""
    if f.employer_ids:
        return len(f.employer_ids) > 1
    if Right.PROCESS_MANAGEMENT in principal.provider_rights():
        return True
    return len(principal.employers_with(Right.PROCESS_MANAGEMENT)) > 1


def sqlite_indexes(principal: Principal, f: OverviewFilter) -> list[tuple[Any, str]]:
    """The index each table of a page walks on SQLite (`INDEXED BY`), where the planner
    without statistics picks another: a fresh deployment has none (nothing runs ANALYZE;
    `PRAGMA optimize` analyses only tables its own connection queried, so later some tables
    have statistics and others not). Without them SQLite takes `employer_id IN (sub-query)`,
    or the requests before their employees, for a cheap start and then sorts the whole tab.
    A filter on employee, submitter or component leaves the choice to the planner: their own
    indexes find few rows, an order walk would pass many."""
    wide = spans_employers(principal, f)
    if f.sort is OverviewSort.EMPLOYEE:  # the employees by name, each one's requests inside
        one_status = len(_statuses(f)) == 1  # the open tab: not through the history
        return [
            (m.Employee, "ix_employees_name_id" if wide else "ix_employees_employer_name_id"),
            (WI, "ix_workflow_instances_employee" + ("_status" if one_status else "")),
        ]
    if not wide or f.employee_ids or f.submitter_ids or f.component_ids:
        return []
    if f.sort is OverviewSort.STATUS or f.tab is ProcessTab.OPEN:
        return [(WI, "ix_workflow_instances_status")]
    return [(WI, "ix_workflow_instances_submitted")]


# SQLAlchemy renders a FROM hint only where the dialect's compiler says how; SQLite's is the
# text itself (`table INDEXED BY index`). Hints name their dialect: others never see them.
# (mypy: assigning to a method is what this means to do.)
SQLiteCompiler.get_from_hint_text = lambda self, table, text: text  # type: ignore[method-assign]


def _statuses(f: OverviewFilter) -> frozenset[InstanceStatus]:
    """The statuses the tab and the status filter leave."""
    tab = TAB_STATUSES[f.tab]
    return tab & set(f.statuses) if f.statuses else tab


def _pinned(f: OverviewFilter) -> tuple[Any, ...]:
    """Sorting by status where one status is left (the open tab): every row has it."""
    statuses = _statuses(f)
    return tuple(statuses) if f.sort is OverviewSort.STATUS and len(statuses) == 1 else ()


# Below and above every int4 id: where the walk of a later employee's requests starts.
_BEFORE_IDS, _AFTER_IDS = -(2**31) - 1, 2**31


def _walks_after(f: OverviewFilter, values: Sequence[Any]) -> tuple[ColumnElement[bool], Any]:
    """Sorted by employee, the rows after the cursor (name, employee, request) as the ranges of
    the two walks: the employees from the cursor's on, and the id each one's requests start
    after (before, descending): the cursor's request for the cursor's employee, none for later
    ones. Implied by the row comparison; without them a deep page reads the cursor's employee's
    requests up to the cursor."""
    E = m.Employee
    name, employee_id, request_id = values
    at = and_(E.name == name, E.id == employee_id)
    employee, cursor = tuple_(E.name, E.id), tuple_(name, employee_id)
    if f.descending:
        return employee <= cursor, case((at, request_id), else_=literal(_AFTER_IDS, BigInteger))
    return employee >= cursor, case((at, request_id), else_=literal(_BEFORE_IDS, BigInteger))


def _implied(
    f: OverviewFilter,
) -> Callable[[Sequence[Any]], Sequence[ColumnElement[bool]]] | None:
    """SQLite, sorted by employee: the walks' ranges (`_walks_after`), the requests' on the id
    alone (the employee's index has the employee's equality before it)."""
    if f.sort is not OverviewSort.EMPLOYEE:
        return None

    def implied(values: Sequence[Any]) -> list[ColumnElement[bool]]:
        employees, start = _walks_after(f, values)
        return [employees, WI.id < start if f.descending else WI.id > start]

    return implied


def _by_employee(
    principal: Principal, f: OverviewFilter, size: int
) -> Callable[[Sequence[Any] | None], AnySelect]:
    """PostgreSQL, sorted by employee: the employees by name, and for each a LATERAL sub-query
    of its requests by id, at most a page of them. The flat join reads the requests of an
    employee in order, but PostgreSQL keeps only the outer order through a nested loop and
    sorts each employee's requests (an Incremental Sort reading its whole history); the
    LIMIT inside stops after a page. The same rows in the same order as `order(f)`."""
    E = m.Employee
    inner_f = replace(f, sort=OverviewSort.SUBMITTED_AT, employee_search=None)

    def paged(values: Sequence[Any] | None) -> AnySelect:
        requests = overview(principal, inner_f).where(
            WI.employee_id == E.id, WI.employer_id == E.employer_id
        )
        outer = managed_employees(principal, f)
        if f.employee_search:
            outer.append(like(E.name, f.employee_search))
        if f.employee_ids:
            outer.append(E.id.in_(f.employee_ids))
        if values is not None:  # the cursor's employee from its next request on, then later ones
            employees, start = _walks_after(f, values)
            outer.append(employees)
            # On (employee_id, id) as a row: no index but the employee's can serve it (on the
            # primary key alone PostgreSQL would walk every request from the cursor's on).
            walk, at = tuple_(WI.employee_id, WI.id), tuple_(E.id, start)
            requests = requests.where(walk < at if f.descending else walk > at)
        requests = requests.order_by(WI.id.desc() if f.descending else WI.id.asc())
        request = aliased(WI, requests.limit(size + 1).lateral("request"))
        stmt = select(request, E.name).select_from(E).join(request, true()).where(*outer)
        by = (E.name, E.id, request.id)
        return stmt.order_by(*(c.desc() if f.descending else c.asc() for c in by))

    return paged


class _Database(Protocol):
    @property
    def is_sqlite(self) -> bool: ...


class OverviewReader(Protocol):
    """The request context's serialized helpers, and its database (SQLite or not)."""

    @property
    def db(self) -> _Database: ...

    async def scalar(self, stmt: AnySelect) -> Any: ...

    async def rows(self, stmt: AnySelect) -> list[Any]: ...


class _RowReader:
    """keyset_page reads `scalars`; a page here is (instance, employee name) rows."""

    def __init__(self, reader: OverviewReader):
        self.reader = reader

    async def scalars(self, stmt: AnySelect) -> list[Any]:
        return await self.reader.rows(stmt)

    async def scalar(self, stmt: AnySelect) -> Any:
        return await self.reader.scalar(stmt)


async def page(
    reader: OverviewReader,
    principal: Principal,
    f: OverviewFilter,
    *,
    first: int | None,
    after: str | None,
) -> Page:
    """One page of instances in the overview's order; `count()` counts every match."""
    tag = f"{f.sort.value}:{'desc' if f.descending else 'asc'}"
    if f.sort is OverviewSort.EMPLOYEE and not reader.db.is_sqlite:
        result = await keyset_page(
            _RowReader(reader),
            overview(principal, f),
            order(f),
            row_key(f),
            first=first,
            after=after,
            descending=f.descending,
            paged=_by_employee(principal, f, page_size(first)),
            tag=tag,
        )
    else:
        cols = (WI, m.Employee.name) if f.sort is OverviewSort.EMPLOYEE else (WI,)
        stmt = overview(principal, f, cols)
        for table, index in sqlite_indexes(principal, f):
            stmt = stmt.with_hint(table, f"INDEXED BY {index}", "sqlite")
        result = await keyset_page(
            _RowReader(reader),
            stmt,
            order(f),
            row_key(f),
            first=first,
            after=after,
            descending=f.descending,
            pinned=_pinned(f),
            implied=_implied(f),
            tag=tag,
        )
    result.rows = [row[0] for row in result.rows]

    async def count() -> int:  # without the sort's join: the count needs no employee names
        total: int = await reader.scalar(
            count_of(principal, replace(f, sort=OverviewSort.SUBMITTED_AT))
        )
        return total

    result.count = count
    return result
