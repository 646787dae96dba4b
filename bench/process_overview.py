"""Benchmark: process management (issue 5) with 1,000,000 requests of one employer.

Prints, per size: the overview's first page against a deep page (keyset pagination: ~1.0), the
GraphQL page against the same page as hand-written SQL, totalCount, and the Excel export's rows
per second and peak memory against plain openpyxl write-only writing as many rows. Figures and
ratios only: nothing here asserts a timing. See bench/README.md for what they mean.

    .venv/bin/python bench/process_overview.py [--sizes 1000000] [--quick] [--plans]
    .venv/bin/python bench/process_overview.py --database-url postgresql+asyncpg://user@host/db

With --database-url (PostgreSQL) each size gets a schema of its own, `process_overview_<size>`,
which is DROPPED and recreated (and left behind for EXPLAIN): give the benchmark a database of
its own. Without it, SQLite files in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import bindparam, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from task_centre import median_ms  # bench/ is the script's directory

from app.db import models as m
from app.db.migrate import upgrade
from app.db.queries import process_overview as q
from app.db.queries.pagination import encode_cursor
from app.db.session import Database
from app.demo.base import EMPLOYER_NAME, FIRST_NAMES, SURNAMES, load_demo
from app.demo.components import COMPONENTS
from app.domain.catalogue import WORKFLOW_TYPES, WorkflowType
from app.domain.overview import OverviewSort, ProcessTab, columns
from app.domain.workflow import STATUS_LABELS, InstanceStatus
from app.export import build
from app.export.rows import UNIT_FORMATS
from app.export.workbook import DATETIME_FORMAT
from app.schema.ids import from_global_id, to_global_id
from app.server import create_app
from app.settings import Settings
from app.web.auth import issue_token

PAGE = 50
DEEP = 0.9  # the deep page starts after the row at 90% of the list
CHUNK = 50_000  # rows generated and inserted at a time
NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
HISTORY_SPAN = dt.timedelta(days=5 * 365)
OPEN_SPAN = dt.timedelta(days=60)
HR, MANAGER, OFFICE = "werkgever.hr", "manager.verkoop", "kantoor.salaris"
# The demo's three workflows, by share of the requests; how finished ones ended, with weights.
TYPES = {
    WorkflowType.EXPENSE_CLAIM: 70,
    WorkflowType.ADDRESS_UPDATE: 20,
    WorkflowType.CONTACT_DETAILS_UPDATE: 10,  # no steps: done at once
}
STEP_COUNT = {
    WorkflowType.EXPENSE_CLAIM: 1,  # an approval
    WorkflowType.ADDRESS_UPDATE: 2,  # a notification, then a task for the office
    WorkflowType.CONTACT_DETAILS_UPDATE: 0,
}
ENDINGS = {
    WorkflowType.EXPENSE_CLAIM: {"PROCESSED": 60, "COMPLETED": 22, "REJECTED": 15, "WITHDRAWN": 3},
    WorkflowType.ADDRESS_UPDATE: {"COMPLETED": 95, "WITHDRAWN": 5},
    WorkflowType.CONTACT_DETAILS_UPDATE: {"COMPLETED": 100},
}
WI_COLUMNS = (
    "id", "employer_id", "employee_id", "type", "definition_version_id", "status",
    "open_position", "submitter_id", "submitted_at", "updated_at", "finished_at", "lock_version",
)  # fmt: skip
STEP_COLUMNS = (
    "id", "instance_id", "position", "kind", "state", "action", "actor_id", "opened_at", "done_at",
)  # fmt: skip
CLAIM_COLUMNS = (
    "instance_id", "component_id", "value", "amount", "payroll_period", "processed_period",
)  # fmt: skip
ROW_FIELDS = (
    "id type displayName status statusLabel submittedAt employee { name } submitter { username } "
    "nextActionBy"
)
OVERVIEW_ARGS = """$employerId: ID, $tab: ProcessTab!, $filter: ProcessOverviewFilter,
  $sort: ProcessOverviewSort, $after: String"""
PAGE_QUERY = f"""query ({OVERVIEW_ARGS}) {{ processOverview(employerId: $employerId, tab: $tab,
  filter: $filter, sort: $sort, first: {PAGE}, after: $after) {{
  edges {{ node {{ {ROW_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
COUNT_QUERY = f"""query ({OVERVIEW_ARGS}) {{ processOverview(employerId: $employerId, tab: $tab,
  filter: $filter, sort: $sort, first: 1, after: $after) {{ totalCount }} }}"""


# --- setup --------------------------------------------------------------------------------------


def use_schema(db: Database, schema: str) -> None:
    """Every connection of the app's engine works in `schema` (PostgreSQL), as in SQLAlchemy's
    "setting alternate search paths on connect" (autocommit, so no rollback undoes it)."""

    @event.listens_for(db.engine.sync_engine, "connect", insert=True)
    def _search_path(dbapi_connection, _record):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET SESSION search_path = {schema}")
        cursor.close()
        dbapi_connection.autocommit = autocommit


async def make_database(url: str | None, tmp: Path, size: int) -> tuple[Settings, str | None]:
    """Settings for an empty database of one size: an SQLite file, or a PostgreSQL schema
    `process_overview_<size>` (dropped and recreated). Returns the settings and the schema."""
    if url is None or make_url(url).get_backend_name() == "sqlite":
        path = tmp / f"process_overview_{size}.db"
        for old in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            old.unlink(missing_ok=True)
        url, schema = f"sqlite+aiosqlite:///{path}", None
    else:
        schema = f"process_overview_{size}"
        admin = create_async_engine(url)
        try:
            async with admin.begin() as conn:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                await conn.execute(text(f"CREATE SCHEMA {schema}"))
        finally:
            await admin.dispose()
    settings = Settings(database_url=url, data_dir=tmp, jwt_secret="bench-" + "x" * 40)
    return settings, schema


@dataclass
class Demo:
    employer_id: int
    provider_id: int
    verkoop_id: int
    users: dict[str, int]
    versions: dict[WorkflowType, int]  # the current definition version of each demo workflow
    # (id, department id, submitter user id, component ids of its set, may declare)
    employees: list[tuple[int, int, int, list[tuple[int, str]], bool]] = field(default_factory=list)


async def demo_facts(conn: AsyncConnection) -> Demo:
    employer_id, provider_id = (
        await conn.execute(
            select(m.Employer.id, m.Employer.provider_id).filter_by(name=EMPLOYER_NAME)
        )
    ).one()
    users = dict((await conn.execute(select(m.User.username, m.User.id))).all())
    versions = {}
    for workflow_type in TYPES:
        versions[workflow_type] = await conn.scalar(
            select(m.WorkflowDefinitionVersion.id)
            .join(m.WorkflowDefinition)
            .where(m.WorkflowDefinition.employer_id == employer_id)
            .where(m.WorkflowDefinition.type == workflow_type)
            .order_by(m.WorkflowDefinitionVersion.version.desc())
            .limit(1)
        )
    sets = (await conn.execute(select(m.ComponentSet.id, m.ComponentSet.is_default))).all()
    default_set = next(s for s, is_default in sets if is_default)
    components: dict[int, list[tuple[int, str]]] = {}
    for pk, set_id, unit in await conn.execute(
        select(m.Component.id, m.Component.set_id, m.Component.unit).order_by(m.Component.id)
    ):
        components.setdefault(set_id, []).append((pk, unit.value))
    verkoop_id = await conn.scalar(
        select(m.Department.id).filter_by(employer_id=employer_id, name="Verkoop")
    )
    demo = Demo(employer_id, provider_id, verkoop_id, users, versions)
    employees = await conn.execute(
        select(
            m.Employee.id,
            m.Employee.department_id,
            m.Employee.mijnloket_account_id,
            m.Employee.component_set_id,
            m.Employee.excluded_from_declaring,
        )
        .filter_by(employer_id=employer_id)
        .order_by(m.Employee.id)
    )
    for pk, department, account, set_id, excluded in employees:
        # Employees without a MijnLoket account (41-50): HR submitted for them.
        submitter = account or users[HR]
        demo.employees.append(
            (pk, department, submitter, components[set_id or default_set], not excluded)
        )
    return demo


def _sqlite_time(moment: dt.datetime | None) -> str | None:
    """What SQLAlchemy stores for a UTC date-time in SQLite."""
    return None if moment is None else f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S.%f}"


def _rows(demo: Demo, rng: random.Random, first: list[int], count: int, *, open_: bool, sqlite):
    """`count` requests in submission order from ids `first` (instance, step) on, as chunks of
    (instances, steps, claims) tuples in the columns above, ready for the driver."""
    at = _sqlite_time if sqlite else (lambda moment: moment)
    number = float if sqlite else (lambda value: value)
    span, start = (OPEN_SPAN, NOW - OPEN_SPAN) if open_ else (HISTORY_SPAN, NOW - HISTORY_SPAN)
    gap = span / max(count, 1)
    types = list(TYPES)[:2] if open_ else list(TYPES)  # a request without steps is never open
    weights = [TYPES[t] for t in types]
    declaring = [e for e in demo.employees if e[4]]
    approver = {True: demo.users[MANAGER], False: demo.users["werkgever.directie"]}
    instances, steps, claims = [], [], []
    step_id = first[1]
    for i in range(count):
        pk = first[0] + i
        (kind,) = rng.choices(types, weights)
        claim = kind is WorkflowType.EXPENSE_CLAIM
        employee, department, submitter, components, _ = rng.choice(
            declaring if claim else demo.employees
        )
        sent = start + gap * (i + rng.random())
        status, done, position = "IN_PROGRESS", None, 1 if claim else 2
        if not open_:
            (status,) = rng.choices(list(ENDINGS[kind]), list(ENDINGS[kind].values()))
            done, position = sent + dt.timedelta(minutes=rng.randrange(1, 60 * 24 * 14)), None
        version, last = demo.versions[kind], "OPEN" if open_ else "DONE"
        if status == "WITHDRAWN":
            last = "CANCELLED"
        # fmt: off
        instances.append((pk, demo.employer_id, employee, kind.value, version, status, position,
                          submitter, at(sent), at(done or sent), at(done), 1))
        if claim:
            act = {"REJECTED": "REJECTED", "WITHDRAWN": None, "IN_PROGRESS": None}.get(
                status, "APPROVED")
            actor = approver[department == demo.verkoop_id] if act else None
            steps.append((step_id, pk, 1, "APPROVAL", last, act, actor, at(sent),
                          at(done) if act else None))
            component, unit = rng.choice(components)
            value = (Decimal(rng.randrange(100, 40_000)) / 100 if unit == "EUR"
                     else Decimal(rng.randint(1, 300)))
            period = f"{sent.year}-{sent.month:02d}"
            claims.append((pk, component, number(value), number(value) if unit == "EUR" else None,
                           period, period if status == "PROCESSED" else None))
        elif kind is WorkflowType.ADDRESS_UPDATE:
            act = "COMPLETED" if last == "DONE" else None
            actor = demo.users[OFFICE] if act else None
            steps.append((step_id, pk, 1, "NOTIFICATION", "DONE", "NOTIFIED", None, at(sent),
                          at(sent)))
            steps.append((step_id + 1, pk, 2, "TASK", last, act, actor, at(sent),
                          at(done) if act else None))
        # fmt: on
        step_id += STEP_COUNT[kind]
        if len(instances) == CHUNK or i == count - 1:
            yield instances, steps, claims
            instances, steps, claims = [], [], []
    first[:] = [first[0] + count, step_id]


async def _insert(conn: AsyncConnection, table: str, names: tuple[str, ...], rows: list) -> None:
    """Bulk insert: COPY on PostgreSQL (asyncpg), one executemany on SQLite; no ORM, no type
    processing (the tuples hold what the driver stores)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        raw = await conn.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(table, records=rows, columns=names)
    else:
        marks = ", ".join("?" * len(names))
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
        await conn.exec_driver_sql(sql, rows)


async def load(db: Database, size: int, open_count: int, *, analyze: bool = True) -> Demo:
    """The demo, then `size` requests of its employer: `open_count` in progress (the last two
    months), the rest finished over five years. Fixed seeds: the same data every run."""
    async with db.writer() as session:
        await load_demo(session)
    sqlite = db.is_sqlite
    async with db.write_engine.begin() as conn:
        demo = await demo_facts(conn)
        first = [1, 1]
        for part, count in ((False, size - open_count), (True, open_count)):
            for instances, steps, claims in _rows(
                demo, random.Random(size + part), first, count, open_=part, sqlite=sqlite
            ):
                await _insert(conn, "workflow_instances", WI_COLUMNS, instances)
                await _insert(conn, "instance_steps", STEP_COLUMNS, steps)
                await _insert(conn, "expense_claims", CLAIM_COLUMNS, claims)
        if not sqlite:  # explicit ids: move the sequences past them
            for table in ("workflow_instances", "instance_steps"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                await conn.execute(text(f"SELECT setval({sequence}, max(id)) FROM {table}"))
    # Planner statistics (and on PostgreSQL the visibility map, for index-only counts): what
    # autovacuum does soon after a bulk insert, done now so that it does not happen mid-run.
    # SQLite has no autovacuum: there the statistics exist only if someone runs ANALYZE.
    if sqlite and analyze:
        async with db.write_engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    elif not sqlite:
        async with db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            tables = ", ".join(t.name for t in m.Base.metadata.sorted_tables)
            await conn.execute(text(f"VACUUM (ANALYZE) {tables}"))
    return demo


# --- the cases: one overview each, through GraphQL and as raw SQL -------------------------------


@dataclass(frozen=True)
class Case:
    user: str
    tab: ProcessTab
    sort: OverviewSort = OverviewSort.SUBMITTED_AT
    declarations: bool = False
    office_wide: bool = False

    @property
    def descending(self) -> bool:  # names A-Z; dates and statuses newest/last first
        return self.sort is not OverviewSort.EMPLOYEE

    @property
    def label(self) -> str:
        what = "declarations" if self.declarations else self.sort.value
        where = " office-wide" if self.office_wide else ""
        return f"{self.user}{where} {self.tab.value} {what}"

    def variables(self, demo: Demo, after: str | None = None) -> dict[str, Any]:
        return {
            "employerId": None if self.office_wide else to_global_id("Employer", demo.employer_id),
            "tab": self.tab.value,
            "filter": {"types": ["EXPENSE_CLAIM"]} if self.declarations else None,
            "sort": {"by": self.sort.value, "direction": "DESC" if self.descending else "ASC"},
            "after": after,
        }

    def cursor(self, key: tuple) -> str:
        """A cursor as the app makes one: the order's tag, then the row's sort key."""
        tag = f"{self.sort.value}:{'desc' if self.descending else 'asc'}"
        return encode_cursor((tag, *key))


CASES = [
    *(Case(HR, tab, sort) for tab in ProcessTab for sort in OverviewSort),
    Case(HR, ProcessTab.HISTORICAL, declarations=True),
    Case(HR, ProcessTab.OPEN, declarations=True),
    Case(MANAGER, ProcessTab.HISTORICAL),
    Case(MANAGER, ProcessTab.HISTORICAL, OverviewSort.EMPLOYEE),
    Case(MANAGER, ProcessTab.OPEN),
    Case(OFFICE, ProcessTab.HISTORICAL),
    # Office-wide (no employerId): every sort on both tabs.
    *(Case(OFFICE, tab, sort, office_wide=True) for tab in ProcessTab for sort in OverviewSort),
]
ORDER_SQL = {
    OverviewSort.SUBMITTED_AT: ("wi.submitted_at", "wi.id"),
    OverviewSort.EMPLOYEE: ("e.name", "e.id", "wi.id"),
    OverviewSort.STATUS: ("wi.status", "wi.submitted_at", "wi.id"),
}
COLUMNS_SQL = (
    "wi.id, wi.type, wi.status, wi.submitted_at, wi.employee_id, wi.submitter_id, wi.open_position"
)
EMPLOYEE_JOIN = "employees e{hint} ON e.id = wi.employee_id AND e.employer_id = wi.employer_id"


def _where(case: Case) -> list[str]:
    where = [
        "wi.status = 'IN_PROGRESS'" if case.tab is ProcessTab.OPEN else "wi.status <> 'IN_PROGRESS'"
    ]
    where.append(_employers(case, "wi"))
    if case.user == MANAGER:
        where.append("wi.employee_id IN (SELECT id FROM employees WHERE department_id = :verkoop)")
    if case.declarations:
        where.append("wi.type = 'EXPENSE_CLAIM'")
    return where


def _employers(case: Case, table: str) -> str:
    if case.office_wide:
        return f"{table}.employer_id IN (SELECT id FROM employers WHERE provider_id = :provider)"
    return f"{table}.employer_id = :employer"


def _after(keys: tuple[str, ...], first: int, op: str) -> list[str]:
    """The keyset bound as the app writes it: `(a, b) <= (x, y) AND (a, b) <> (x, y)` for more
    than one column (PostgreSQL estimates a row comparison by its first column)."""
    marks = ", ".join(f":k{i}" for i in range(first, first + len(keys)))
    if len(keys) == 1:
        return [f"{keys[0]} {op} {marks}"]
    row = f"({', '.join(keys)})"
    return [f"{row} {op}= ({marks})", f"{row} <> ({marks})"]


def raw_page(case: Case, *, deep: bool, limit: int = PAGE + 1, offset: int = 0):
    """The list as one plain statement (the same joins, WHERE and ORDER BY as the app), with
    OFFSET: to find the deep page's row and the rows every page must show."""
    keys, where = ORDER_SQL[case.sort], _where(case)
    by_name = case.sort is OverviewSort.EMPLOYEE
    if deep:
        where += _after(keys, 0, "<" if case.descending else ">")
    direction = " DESC" if case.descending else ""
    sql = (
        f"SELECT {COLUMNS_SQL}" + (", e.name" if by_name else "") + " FROM workflow_instances wi"
        + (" JOIN " + EMPLOYEE_JOIN.format(hint="") if by_name else "")
        + (" JOIN expense_claims ec ON ec.instance_id = wi.id" if case.declarations else "")
        + f" WHERE {' AND '.join(where)} ORDER BY {', '.join(k + direction for k in keys)}"
        + f" LIMIT {limit}" + (f" OFFSET {offset}" if offset else "")
    )  # fmt: skip
    return _typed(text(sql), deep and not by_name, case)


def _typed(stmt, bind_time: bool, case: Case):
    when = m.WorkflowInstance.submitted_at.type
    if bind_time:
        stmt = stmt.bindparams(
            bindparam("k1" if case.sort is OverviewSort.STATUS else "k0", type_=when)
        )
    return stmt.columns(submitted_at=when)


def _start(op: str) -> str:
    """Where the walk of an employee's requests starts: after the cursor's request for the
    cursor's employee, anywhere for later ones (as the app's `_walks_after`)."""
    edge = "-2147483649" if op == ">" else "2147483648"
    return f"CASE WHEN e.name = :k0 AND e.id = :k1 THEN :k2 ELSE {edge} END"


def fast_page(case: Case, *, deep: bool, sqlite: bool):
    """The page as one hand-written statement of the shape the app sends (the floor): the
    same joins, WHERE, ORDER BY, LIMIT 51 and keyset bound, with literals where the app binds;
    on SQLite the app's INDEXED BY, on PostgreSQL sorted by employee the app's LATERAL walk.
    It reads the columns the page shows; the app reads the names of employee and submitter with
    two loader queries after."""
    keys, where = ORDER_SQL[case.sort], _where(case)
    op = "<" if case.descending else ">"
    direction = " DESC" if case.descending else ""
    order = f" ORDER BY {', '.join(k + direction for k in keys)} LIMIT {PAGE + 1}"
    claims = " JOIN expense_claims ec ON ec.instance_id = wi.id" if case.declarations else ""
    one_status = case.tab is ProcessTab.OPEN
    if case.sort is OverviewSort.EMPLOYEE and not sqlite:
        inner = [*where, "wi.employee_id = e.id", "wi.employer_id = e.employer_id"]
        outer = [_employers(case, "e")]
        if case.user == MANAGER:
            outer.append("e.id IN (SELECT id FROM employees WHERE department_id = :verkoop)")
        if deep:
            inner.append(f"(wi.employee_id, wi.id) {op} (e.id, {_start(op)})")
            outer.append(f"(e.name, e.id) {op}= (:k0, :k1)")
        sql = (
            f"SELECT wi.*, e.name FROM employees e JOIN LATERAL (SELECT {COLUMNS_SQL}"
            f" FROM workflow_instances wi{claims} WHERE {' AND '.join(inner)}"
            f" ORDER BY wi.id{direction} LIMIT {PAGE + 1}) wi ON true"
            f" WHERE {' AND '.join(outer)}{order}"
        )
        return _typed(text(sql), False, case)
    hint, join = "", ""
    if case.sort is OverviewSort.EMPLOYEE:
        employees = "ix_employees_name_id" if case.office_wide else "ix_employees_employer_name_id"
        requests = "ix_workflow_instances_employee" + ("_status" if one_status else "")
        hint = f" INDEXED BY {requests}"
        join = " JOIN " + EMPLOYEE_JOIN.format(hint=f" INDEXED BY {employees}")
        if case.office_wide:
            where.append(_employers(case, "e"))
    elif sqlite and case.office_wide:
        by_status = case.sort is OverviewSort.STATUS or one_status
        hint = f" INDEXED BY ix_workflow_instances_{'status' if by_status else 'submitted'}"
    if deep:
        pinned = case.sort is OverviewSort.STATUS and one_status  # status = 'IN_PROGRESS'
        where += _after(keys[1:], 1, op) if pinned else _after(keys, 0, op)
        if case.sort is OverviewSort.EMPLOYEE:  # the app's ranges for both walks
            where += [f"(e.name, e.id) {op}= (:k0, :k1)", f"wi.id {op} {_start(op)}"]
    sql = (
        f"SELECT {COLUMNS_SQL}"
        + (", e.name" if join else "")
        + f" FROM workflow_instances wi{hint}"
        f"{join}{claims} WHERE {' AND '.join(where)}{order}"
    )
    return _typed(text(sql), deep and not join, case)


def raw_count(case: Case):
    claims = " JOIN expense_claims ec ON ec.instance_id = wi.id" if case.declarations else ""
    return text(
        f"SELECT count(*) FROM workflow_instances wi{claims} WHERE {' AND '.join(_where(case))}"
    )


def sort_key(case: Case, row) -> tuple:
    if case.sort is OverviewSort.EMPLOYEE:
        return (row.name, row.employee_id, row.id)
    if case.sort is OverviewSort.STATUS:
        return (row.status, row.submitted_at, row.id)
    return (row.submitted_at, row.id)


# --- what is timed ------------------------------------------------------------------------------


@dataclass
class Bench:
    settings: Settings
    demo: Demo
    client: httpx.AsyncClient
    conn: AsyncConnection  # held open for the raw statements
    db: Database
    tokens: dict[str, str] = field(default_factory=dict)

    def params(self) -> dict[str, int]:
        d = self.demo
        return {"employer": d.employer_id, "provider": d.provider_id, "verkoop": d.verkoop_id}

    def graphql(self, case: Case, query: str, after: str | None = None):
        if case.user not in self.tokens:
            self.tokens[case.user] = issue_token(self.settings, case.user)
        headers = {"Authorization": f"Bearer {self.tokens[case.user]}"}
        body = {"query": query, "variables": case.variables(self.demo, after)}

        async def post() -> dict:
            result = (await self.client.post("/graphql", json=body, headers=headers)).json()
            if "errors" in result:
                raise SystemExit(f"{case.label}: the GraphQL query failed: {result['errors']}")
            return result["data"]["processOverview"]

        return post

    def raw(self, stmt, **params):
        async def execute() -> list:
            return (await self.conn.execute(stmt, {**self.params(), **params})).all()

        return execute


@dataclass
class Prepared:
    """A case ready to time: its four pages, its two counts, and what the checks found."""

    case: Case
    total: int
    deep_page: int
    ours: tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]
    raw: tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]
    counts: tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]


def _ids(page: dict) -> list[int]:
    return [int(from_global_id(e["node"]["id"])[1]) for e in page["edges"]]


async def prepare(b: Bench, case: Case) -> Prepared:
    """The deep cursor (the row at 90% of the list, found once with OFFSET, untimed), and checks
    that GraphQL answers exactly the raw statement's rows: page 1, page 2 through page 1's
    endCursor, the deep page, and the count. Stops the run otherwise."""
    total = (await b.raw(raw_count(case))())[0][0]
    offset = int(total * DEEP) if total > 2 * PAGE else 0
    deep_row = (await b.raw(raw_page(case, deep=False, limit=1, offset=offset))())[0]
    key = sort_key(case, deep_row)
    deep_params = {f"k{i}": v for i, v in enumerate(key)}
    ours_first = b.graphql(case, PAGE_QUERY)
    ours_deep = b.graphql(case, PAGE_QUERY, case.cursor(key))
    sqlite = b.db.is_sqlite
    raw_first = b.raw(fast_page(case, deep=False, sqlite=sqlite))
    raw_deep = b.raw(fast_page(case, deep=True, sqlite=sqlite), **deep_params)
    first = await ours_first()
    second = await b.graphql(case, PAGE_QUERY, first["pageInfo"]["endCursor"])()
    expected = [r.id for r in await b.raw(raw_page(case, deep=False, limit=2 * PAGE))()]
    deep = await ours_deep()
    found = (_ids(first), _ids(second), _ids(deep))
    flat_deep = b.raw(raw_page(case, deep=True, limit=PAGE), **deep_params)
    wanted = (expected[:PAGE], expected[PAGE:], [r.id for r in await flat_deep()])
    if found != wanted or len(found[0]) != min(PAGE, total):
        raise SystemExit(f"{case.label}: GraphQL and raw SQL answer different rows")
    fast = ([r.id for r in await raw_first()][:PAGE], [r.id for r in await raw_deep()][:PAGE])
    if fast != (wanted[0], wanted[2]):
        raise SystemExit(f"{case.label}: the raw page statements answer other rows")
    ours_count, raw_count_ = b.graphql(case, COUNT_QUERY), b.raw(raw_count(case))
    if (await ours_count())["totalCount"] != total:
        raise SystemExit(f"{case.label}: totalCount differs from the raw count {total}")
    return Prepared(
        case,
        total,
        (offset + 1) // PAGE + 1,
        (ours_first, ours_deep),
        (raw_first, raw_deep),
        (ours_count, raw_count_),
    )


async def measure_pages(b: Bench, args: argparse.Namespace, cases: list[Prepared]) -> None:
    print(
        f"\npages of {PAGE} (median ms of {args.repeat} after {args.warmup} warm-up runs); deep: "
        f"the page after the row at {DEEP:.0%} of the list, through its cursor"
    )
    print(
        f"{'overview':<50}{'rows':>10}{'deep pg':>8}{'ours p1':>9}{'ours deep':>10}{'deep/1':>7}"
        f"{'raw p1':>8}{'raw deep':>9}{'deep/1':>7}{'ours/raw p1':>12}{'deep':>6}"
    )
    for p in cases:
        o1, od, r1, rd = await median_ms([*p.ours, *p.raw], args.warmup, args.repeat)
        print(
            f"{p.case.label:<50}{p.total:>10,}{p.deep_page:>8,}{o1:>9.1f}{od:>10.1f}{od / o1:>7.2f}"
            f"{r1:>8.2f}{rd:>9.2f}{rd / r1:>7.2f}{o1 / r1:>12.1f}{od / rd:>6.1f}",
            flush=True,
        )
    repeat = max(3, args.repeat // 3)
    print(f"\ntotalCount (median ms of {repeat} after 1 warm-up run)")
    print(f"{'overview':<50}{'rows':>10}{'ours':>9}{'raw':>9}{'ours/raw':>9}")
    for p in cases:
        ours, raw = await median_ms(list(p.counts), 1, repeat)
        print(
            f"{p.case.label:<50}{p.total:>10,}{ours:>9.1f}{raw:>9.1f}{ours / raw:>9.2f}", flush=True
        )


# --- query plans --------------------------------------------------------------------------------


async def page_statement(b: Bench, call: Callable[[], Awaitable[Any]]) -> tuple[str, Any]:
    """The SQL and parameters of the page query a GraphQL request sends to the driver."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        captured.append((statement, parameters))

    event.listen(b.db.engine.sync_engine, "before_cursor_execute", capture)
    try:
        await call()
    finally:
        event.remove(b.db.engine.sync_engine, "before_cursor_execute", capture)
    return next((s, p) for s, p in captured if "workflow_instances" in s and "LIMIT" in s)


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    return "'" + str(value).replace("'", "''") + "'"


async def explain(conn: AsyncConnection, sql: str, params: Any) -> list[str]:
    if conn.dialect.name == "sqlite":
        rows = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)).all()
        depth: dict[int, int] = {0: 0}
        out = []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, 0) + 1
            out.append("  " * depth[node] + detail)
        return out
    # The app runs each statement as an asyncpg prepared statement: the first five runs get a
    # custom plan for their values, later runs the generic plan if PostgreSQL finds it no
    # dearer. Shown: the custom plan, then the plan of the sixth run (straight on the driver).
    driver = (await conn.get_raw_connection()).driver_connection
    out = ["custom plan (runs 1-5):"]
    out += ["  " + r[0] for r in await driver.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *params)]
    name, values = f"bench_plan_{next(_plan_names)}", ", ".join(_literal(v) for v in params)
    await driver.execute(f"PREPARE {name} AS {sql}")
    try:
        for _ in range(5):
            await driver.execute(f"EXECUTE {name}({values})")
        plan = [
            r[0] for r in await driver.fetch(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE {name}({values})")
        ]
    finally:
        await driver.execute(f"DEALLOCATE {name}")
    generic = any("$" in line for line in plan)
    out.append(f"plan of run 6 and later ({'generic' if generic else 'custom'}):")
    return out + ["  " + line for line in plan]


_plan_names = itertools.count()


# The app's background loops (export worker, e-mail relay, event publisher) poll these.
BACKGROUND = ("FROM exports", "outbox_emails", "outbox_events")


async def request_statements(b: Bench, call) -> list[tuple[float, str, Any]]:
    """Every statement one GraphQL request sends, with the wall-clock ms while it ran (other
    coroutines may run meanwhile: an upper bound)."""
    ran: list[tuple[float, str, Any]] = []

    def before(_conn, _cursor, _statement, _parameters, context, _executemany):
        context.bench_start = time.perf_counter()

    def after(_conn, _cursor, statement, parameters, context, _executemany):
        start = getattr(context, "bench_start", None)  # None: began before we listened
        if start is not None and not any(t in statement for t in BACKGROUND):
            ran.append(((time.perf_counter() - start) * 1000, statement, parameters))

    engine = b.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        await call()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return ran


SUMMARY = ("Seq Scan", "SCAN ", "TEMP B-TREE", "JIT:", "Timing:", "Planning Time", "Execution Time")


async def print_plans(b: Bench, cases: list[Prepared]) -> None:
    print("\nquery plans: the page statements the app sends (page 1 and the deep page), then the")
    print("raw statements' (SQL in fast_page()); first, every statement of one page-1 request")
    async with b.db.engine.connect() as conn:
        for p in cases:
            print(f"\n== {p.case.label}, page 1: the request's statements (ms while each ran)")
            for ms, sql, params in await request_statements(b, p.ours[0]):
                print(f"  {ms:7.1f}  {' '.join(sql.split())[:100]}")
                if ms >= 10 and "LIMIT" not in sql:  # slow, and not the page: why (run 6)
                    lines = await explain(conn, sql, params)
                    steady = [i for i, line in enumerate(lines) if "run 6" in line]
                    for line in lines[steady[0] if steady else 0 :]:
                        if any(w in line for w in SUMMARY) and "never executed" not in line:
                            print(f"           {line.strip()[:120]}")
            pages = ("page 1", f"page {p.deep_page:,}")
            for name, call in zip(pages, p.ours, strict=True):
                sql, params = await page_statement(b, call)
                print(f"\n== {p.case.label}, {name}, ours\n{sql}\n{params}")
                print("\n".join(await explain(conn, sql, params)), flush=True)
            for name, call in zip(pages, p.raw, strict=True):
                sql, params = await page_statement(b, call)
                print(f"\n== {p.case.label}, {name}, raw")
                print("\n".join(await explain(conn, sql, params)), flush=True)
            await conn.rollback()


# --- the Excel export ---------------------------------------------------------------------------


def rss_now() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def reset_peak_rss() -> None:
    """Start the high-water mark afresh (Linux: "5" to clear_refs). Not getrusage's ru_maxrss:
    a child inherits its parent's through fork and exec."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def peak_rss() -> int:
    with open("/proc/self/status") as fh:
        line = next(line for line in fh if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def plain_rows(count: int):
    """Rows like the declaration view's, from a small in-memory list (cycled)."""
    rng = random.Random(5)
    components = [c for set_ in COMPONENTS.values() for c in set_]
    sample = []
    for _ in range(1000):
        name, _label, unit, _rate = rng.choice(components)
        value = (
            Decimal(rng.randrange(100, 40_000)) / 100
            if unit.value == "EUR"
            else Decimal(rng.randint(1, 300))
        )
        at = dt.datetime(2022, 1, 1) + dt.timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
        sample.append(
            (
                f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                at,
                WORKFLOW_TYPES[WorkflowType.EXPENSE_CLAIM].display_name,
                STATUS_LABELS[rng.choice(list(InstanceStatus)[1:])],
                name,
                value,
                UNIT_FORMATS[unit],
                f"{at.year}-{at.month:02d}",
            )
        )
    for i in range(count):
        yield sample[i % len(sample)]


def write_plain(count: int, target) -> None:
    """Plain openpyxl write-only: a header row, then the rows; date and value as cells with a
    number format (as the export writes them), the rest as plain values."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Procesbeheer")
    cols = columns(ProcessTab.HISTORICAL, declarations=True, provider_wide=False)
    sheet.append([c.header for c in cols])
    for employee, submitter, at, process, status, component, value, fmt, period in plain_rows(
        count
    ):
        when = WriteOnlyCell(sheet, value=at)
        when.number_format = DATETIME_FORMAT
        amount = WriteOnlyCell(sheet, value=value)
        amount.number_format = fmt
        sheet.append([employee, submitter, when, process, status, component, amount, period])
    book.save(target)


async def export_child(spec: dict) -> dict:
    """One export measured in this (fresh) process: ours (claim + run on an Export row) or
    plain openpyxl. Wall-clock seconds; peak RSS above the RSS just before starting."""
    if spec["kind"] == "plain":
        with tempfile.TemporaryFile() as fh:
            reset_peak_rss()
            before = rss_now()
            if spec["tracemalloc"]:
                tracemalloc.start()
            start = time.perf_counter()
            write_plain(spec["rows"], fh)
            seconds = time.perf_counter() - start
            rows, size = spec["rows"], fh.tell()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(database_url=spec["url"], data_dir=Path(tmp), jwt_secret="x" * 40)
            db = Database(settings)
            if spec["schema"]:
                use_schema(db, spec["schema"])
            async with db.reader() as session:  # connected, so not counted
                await session.scalar(select(func.count()).select_from(m.Export))
            reset_peak_rss()
            before = rss_now()
            if spec["tracemalloc"]:
                tracemalloc.start()
            start = time.perf_counter()
            attempt = await build.claim(db, spec["export_id"], settings)
            if attempt is None:
                raise SystemExit("the export could not be claimed")
            await build.run(db, settings, spec["export_id"], attempt)
            seconds = time.perf_counter() - start
            async with db.reader() as session:
                export = await session.get(m.Export, spec["export_id"])
            await db.dispose()
            if export.status is not m.ExportStatus.READY:
                raise SystemExit(f"the export ended {export.status}: {export.error}")
            rows, size = export.row_count, export.size_bytes
    traced = tracemalloc.get_traced_memory()[1] if spec["tracemalloc"] else None
    return {
        "rows": rows,
        "seconds": seconds,
        "rss": max(0, peak_rss() - before),
        "traced": traced,
        "bytes": size,
    }


async def run_child(spec: dict) -> dict:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--export-child", json.dumps(spec), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"export child {spec['kind']} failed ({proc.returncode})")
    return json.loads(out.decode().splitlines()[-1])


async def export_filter(b: Bench, wanted: int) -> q.OverviewFilter:
    """The historical declaration view of the demo employer, from the day that gives about
    `wanted` rows (the day of the wanted-th newest claim) on; everything when there are fewer."""
    f = q.OverviewFilter(
        tab=ProcessTab.HISTORICAL,
        employer_ids=(b.demo.employer_id,),
        types=(WorkflowType.EXPENSE_CLAIM,),
    )
    case = Case(HR, ProcessTab.HISTORICAL, declarations=True)
    rows = await b.raw(raw_page(case, deep=False, limit=1, offset=wanted - 1))()
    if not rows:
        return f
    return replace(f, submitted_from=rows[0].submitted_at.date())


async def measure_exports(b: Bench, args: argparse.Namespace, url: str, schema: str | None) -> None:
    memory = "tracemalloc peak" if args.tracemalloc else "peak RSS above the start"
    print(
        f"\nExcel export, HISTORICAL declaration view (8 columns), werkgever.hr; each in a fresh "
        f"process; memory: {memory}, MB"
    )
    print(
        f"{'rows':>9}{'ours s':>8}{'ours rows/s':>12}{'plain s':>8}{'plain rows/s':>13}"
        f"{'ours/plain rows/s':>18}{'ours MB':>8}{'plain MB':>9}{'ours/plain MB':>14}"
        f"{'file MB ours':>13}{'plain':>6}"
    )
    for wanted in args.export_rows:
        f = await export_filter(b, wanted)
        async with b.db.writer() as session:
            export = m.Export(
                user_id=b.demo.users[HR],
                employer_id=b.demo.employer_id,
                query=q.filter_to_json(f),
                token=build.new_token(),
                file_name="bench.xlsx",
            )
            session.add(export)
            await session.flush()
            export_id = export.id
        common = {"url": url, "schema": schema, "tracemalloc": args.tracemalloc}
        ours = await run_child({**common, "kind": "ours", "export_id": export_id})
        plain = await run_child({**common, "kind": "plain", "rows": ours["rows"]})
        key = "traced" if args.tracemalloc else "rss"
        mb = 1024 * 1024
        o_rate, p_rate = ours["rows"] / ours["seconds"], plain["rows"] / plain["seconds"]
        print(
            f"{ours['rows']:>9,}{ours['seconds']:>8.1f}{o_rate:>12,.0f}{plain['seconds']:>8.1f}"
            f"{p_rate:>13,.0f}{o_rate / p_rate:>18.2f}{ours[key] / mb:>8.1f}{plain[key] / mb:>9.1f}"
            f"{ours[key] / max(plain[key], 1):>14.2f}{ours['bytes'] / mb:>13.1f}"
            f"{plain['bytes'] / mb:>6.1f}",
            flush=True,
        )


# --- the run ------------------------------------------------------------------------------------


async def run_size(args: argparse.Namespace, tmp: Path, size: int) -> None:
    start = time.perf_counter()
    settings, schema = await make_database(args.database_url, tmp, size)
    app = create_app(settings)
    db: Database = app.state.db
    if schema:
        use_schema(db, schema)
    await upgrade(db.write_engine)
    demo = await load(db, size, args.open, analyze=not args.sqlite_no_analyze)
    setup_s = time.perf_counter() - start
    transport = httpx.ASGITransport(app=app)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        db.engine.connect() as conn,
    ):
        b = Bench(settings, demo, client, conn, db)
        if conn.dialect.name == "postgresql":
            kind = "PostgreSQL " + (await conn.scalar(text("SHOW server_version"))).split()[0]
        else:
            kind = "SQLite " + await conn.scalar(text("SELECT sqlite_version()"))
        total = await conn.scalar(select(func.count()).select_from(m.WorkflowInstance))
        claims = await conn.scalar(select(func.count()).select_from(m.ExpenseClaim))
        print(
            f"\n{kind}: {total:,} workflow instances ({args.open:,} in progress, {claims:,} "
            f"expense claims) at {EMPLOYER_NAME}; setup {setup_s:.0f} s",
            flush=True,
        )
        cases = [await prepare(b, case) for case in CASES]
        if not args.skip_pages:
            await measure_pages(b, args, cases)
        if args.plans:
            await print_plans(b, cases)
        await conn.rollback()
    # The app's export worker stopped with the lifespan: it cannot take the exports made here.
    if args.export_rows:
        async with db.engine.connect() as conn:
            b = Bench(settings, demo, None, conn, db)  # type: ignore[arg-type]
            await measure_exports(b, args, settings.sqlalchemy_url, schema)
    await db.dispose()


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="loketflow-bench-") as tmp:
        for size in args.sizes:
            await run_size(args, Path(args.sqlite_dir or tmp), size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="workflow instances, comma-separated (1000000)")
    parser.add_argument("--open", type=int, default=2000, help="of which in progress")
    parser.add_argument("--repeat", type=int, help="timed runs per variant (15)")
    parser.add_argument("--warmup", type=int, help="untimed runs per variant first (3)")
    parser.add_argument(
        "--export-rows", help="rows per export, comma-separated; 0: none (100000,500000)"
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="export memory as the tracemalloc peak (Python allocations; slower) instead of RSS",
    )
    parser.add_argument("--plans", action="store_true", help="print the page queries' plans")
    parser.add_argument("--skip-pages", action="store_true", help="no page or count timings")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run, defaults --sizes 100000 --export-rows 10000,50000 --repeat 5 --warmup 2",
    )
    parser.add_argument(
        "--database-url",
        help="postgresql+asyncpg://... (its schemas process_overview_<size> are dropped!); "
        "default: SQLite files in a temp dir",
    )
    parser.add_argument(
        "--sqlite-no-analyze",
        action="store_true",
        help="SQLite: no ANALYZE after loading (nothing in the app runs it: plans without stats)",
    )
    parser.add_argument("--sqlite-dir", help="keep the SQLite files here (for EXPLAIN) instead")
    parser.add_argument("--export-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        print(json.dumps(asyncio.run(export_child(json.loads(args.export_child)))))
        return
    defaults = (
        ("100000", "10000,50000", 5, 2) if args.quick else ("1000000", "100000,500000", 15, 3)
    )
    for name, default in zip(("sizes", "export_rows", "repeat", "warmup"), defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, default)
    try:
        args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
        args.export_rows = [int(s.replace("_", "")) for s in args.export_rows.split(",")]
    except ValueError:
        parser.error("--sizes, --export-rows: whole numbers separated by commas")
    args.export_rows = [n for n in args.export_rows if n > 0]
    if any(not 0 < args.open < size for size in args.sizes):
        parser.error("--open: more than 0 and fewer than each size")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
