"""Benchmark: the task centre with 10,000 and with 1,000,000 workflow instances in the database.

What grows between the sizes is history (finished requests); the open tasks stay the same, so the
task centre should cost the same: ratio big/small ~1.0 (partial indexes over open steps, keyset
pagination). Prints ratios, which stay comparable across machines where milliseconds do not. Not
a test: nothing here asserts a timing. See bench/README.md for what the figures mean.

    .venv/bin/python bench/task_centre.py [--sizes 10000,1000000] [--open 2000] [--quick]
    .venv/bin/python bench/task_centre.py --database-url postgresql+asyncpg://user@host/db

With --database-url (PostgreSQL) each size gets a schema of its own, `task_centre_<size>`, which
is DROPPED and recreated: give the benchmark a database of its own. Without it, SQLite files in a
temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.db import models as m
from app.db.migrate import upgrade
from app.db.principals import load_principal
from app.db.queries import task_centre as q
from app.db.queries.pagination import Page, keyset_page
from app.demo.base import EMPLOYER_NAME, load_demo
from app.domain.authz import Principal
from app.domain.catalogue import WorkflowType
from app.domain.definitions import StepKind
from app.domain.workflow import InstanceStatus, StepAction, StepState

PAGE = 50
DEEP_PAGE = 10  # the deep page: the 10th, reached by following nine cursors
CHUNK = 10_000  # rows per executemany
USERS = ("manager.verkoop", "werkgever.directie", "kantoor.admin")
NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
HISTORY_SPAN = dt.timedelta(days=5 * 365)  # finished requests: submitted over five years
OPEN_SPAN = dt.timedelta(days=60)  # open ones: submitted in the last two months
# How finished requests ended (status, step state, step action), with weights.
FINISHED = (
    ((InstanceStatus.PROCESSED, StepState.DONE, StepAction.APPROVED), 60),
    ((InstanceStatus.COMPLETED, StepState.DONE, StepAction.APPROVED), 22),
    ((InstanceStatus.REJECTED, StepState.DONE, StepAction.REJECTED), 15),
    ((InstanceStatus.WITHDRAWN, StepState.CANCELLED, None), 3),
)
WI, IS = m.WorkflowInstance.__table__, m.InstanceStep.__table__


# --- setup --------------------------------------------------------------------------------------


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    """What the app sets on its SQLite connections (app/db/session.py), minus its BEGIN handling."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


async def make_engine(url: str | None, tmp: Path, size: int) -> AsyncEngine:
    """An empty, migrated database for one size: an SQLite file, or a PostgreSQL schema
    `task_centre_<size>` (dropped and recreated) reached through the search_path."""
    if url is None or make_url(url).get_backend_name() == "sqlite":
        path = tmp / f"task_centre_{size}.db"
        if url is not None:  # an SQLite URL: one file per size beside the one named
            path = Path(make_url(url).database or "bench.db")
            path = path.with_name(f"{path.stem}_{size}{path.suffix or '.db'}")
        path.unlink(missing_ok=True)
        for extra in ("-wal", "-shm"):
            path.with_name(path.name + extra).unlink(missing_ok=True)
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        _sqlite_pragmas(engine)
    else:
        schema = f"task_centre_{size}"
        admin = create_async_engine(url)
        try:
            async with admin.begin() as conn:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                await conn.execute(text(f"CREATE SCHEMA {schema}"))
        finally:
            await admin.dispose()
        engine = create_async_engine(url, connect_args={"server_settings": {"search_path": schema}})
    await upgrade(engine)
    return engine


@dataclass
class Demo:
    employer_id: int
    version_id: int  # the current EXPENSE_CLAIM definition version
    employees: list[tuple[int, int, int]]  # (id, department id, submitter user id)
    verkoop_id: int
    manager_id: int
    employer_user_id: int


async def demo_facts(session: AsyncSession) -> Demo:
    employer_id = await session.scalar(select(m.Employer.id).filter_by(name=EMPLOYER_NAME))
    version_id = await session.scalar(
        select(m.WorkflowDefinitionVersion.id)
        .join(m.WorkflowDefinition)
        .where(
            m.WorkflowDefinition.employer_id == employer_id,
            m.WorkflowDefinition.type == WorkflowType.EXPENSE_CLAIM,
        )
        .order_by(m.WorkflowDefinitionVersion.version.desc())
        .limit(1)
    )
    users = {name: pk for name, pk in await session.execute(select(m.User.username, m.User.id))}
    employees = (
        await session.execute(
            select(m.Employee.id, m.Employee.department_id, m.Employee.mijnloket_account_id)
            .filter_by(employer_id=employer_id)
            .order_by(m.Employee.id)
        )
    ).all()
    verkoop_id = await session.scalar(
        select(m.Department.id).filter_by(employer_id=employer_id, name="Verkoop")
    )
    return Demo(
        employer_id=employer_id,
        version_id=version_id,
        # Employees without a MijnLoket account: HR submitted for them.
        employees=[(e, d, account or users["werkgever.hr"]) for e, d, account in employees],
        verkoop_id=verkoop_id,
        manager_id=users["manager.verkoop"],
        employer_user_id=users["werkgever.directie"],
    )


def _rows(demo: Demo, rng: random.Random, first: Sequence[int], count: int, *, open_: bool):
    """`count` expense claims in submission order, as (instance, step) rows with explicit ids
    from `first` (instance id, step id) on."""
    span, start = (OPEN_SPAN, NOW - OPEN_SPAN) if open_ else (HISTORY_SPAN, NOW - HISTORY_SPAN)
    step = span / max(count, 1)
    outcomes, weights = zip(*FINISHED, strict=True)
    for i in range(count):
        employee_id, department_id, submitter_id = rng.choice(demo.employees)
        submitted = start + step * (i + rng.random())
        if open_:
            status, state, action, done = InstanceStatus.IN_PROGRESS, StepState.OPEN, None, None
        else:
            (status, state, action), *_ = rng.choices(outcomes, weights)
            done = submitted + dt.timedelta(hours=rng.randrange(1, 24 * 14))
        actor = None
        if action is not None:
            actor = demo.manager_id if department_id == demo.verkoop_id else demo.employer_user_id
        pk, step_pk = first[0] + i, first[1] + i
        yield (
            {
                "id": pk,
                "employer_id": demo.employer_id,
                "employee_id": employee_id,
                "type": WorkflowType.EXPENSE_CLAIM,
                "definition_version_id": demo.version_id,
                "status": status,
                "open_position": 1 if open_ else None,
                "submitter_id": submitter_id,
                "submitted_at": submitted,
                "updated_at": done or submitted,
                "finished_at": done,
                "idempotency_key": None,  # `change` left out: SQL NULL (None would be JSON null)
                "lock_version": 1,
            },
            {
                "id": step_pk,
                "instance_id": pk,
                "position": 1,
                "kind": StepKind.APPROVAL,
                "state": state,
                "action": action,
                "actor_id": actor,
                "comment": None,
                "opened_at": submitted,
                "done_at": done if state is StepState.DONE else None,
            },
        )


async def _insert(conn: AsyncConnection, rows) -> None:
    instances, steps = [], []
    for instance, step in rows:
        instances.append(instance)
        steps.append(step)
        if len(instances) == CHUNK:
            await conn.execute(insert(WI), instances)
            await conn.execute(insert(IS), steps)
            instances, steps = [], []
    if instances:
        await conn.execute(insert(WI), instances)
        await conn.execute(insert(IS), steps)


async def load(engine: AsyncEngine, size: int, open_count: int) -> None:
    """The demo, then `size` expense claims of its employer: `size - open_count` finished ones
    (history, the last five years) and `open_count` waiting for approval (the last two months).
    The open ones come from their own fixed seed: the same tasks at every size."""
    async with AsyncSession(engine) as session, session.begin():
        await load_demo(session)
    async with AsyncSession(engine) as session:
        demo = await demo_facts(session)
    async with engine.begin() as conn:
        first = [
            await conn.scalar(select(func.coalesce(func.max(t.c.id), 0) + 1)) for t in (WI, IS)
        ]
        history = size - open_count
        await _insert(conn, _rows(demo, random.Random(size), first, history, open_=False))
        first = [first[0] + history, first[1] + history]
        await _insert(conn, _rows(demo, random.Random(1), first, open_count, open_=True))
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("workflow_instances", "instance_steps"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id))"
                        f" FROM {table}"
                    )
                )
    # Planner statistics after the bulk load (autovacuum does this soon after on PostgreSQL);
    # there only for this schema's tables, not the whole database.
    async with engine.begin() as conn:
        tables = ", ".join(t.name for t in m.Base.metadata.sorted_tables)
        await conn.execute(
            text("ANALYZE" if conn.dialect.name == "sqlite" else f"ANALYZE {tables}")
        )


# --- what is timed ------------------------------------------------------------------------------


class Reader:
    """The two read helpers `keyset_page` needs, over one AsyncSession (the request context's
    helpers, minus their lock)."""

    def __init__(self, session: AsyncSession | None = None) -> None:
        self.session = session

    async def scalars(self, stmt) -> list[Any]:
        return list(await self.session.scalars(stmt))

    async def scalar(self, stmt) -> Any:
        return await self.session.scalar(stmt)


@dataclass
class Size:
    size: int
    engine: AsyncEngine
    conn: AsyncConnection  # held open for the raw statements
    sessions: async_sessionmaker
    principals: dict[str, Principal] = field(default_factory=dict)

    async def page(self, username: str, after: str | None) -> Page:
        """The task centre page exactly as the resolver asks for it, in a session of its own
        (one read session per request, as in the app: no identity map carried over)."""
        async with self.sessions() as session:
            principal = self.principals[username]
            return await keyset_page(
                Reader(session),
                q.tasks(principal, q.TaskFilter()),
                q.ORDER,
                q.sort_key,
                first=PAGE,
                after=after,
                descending=True,
            )

    def ours(self, username: str, after: str | None) -> Callable[[], Awaitable[Page]]:
        return lambda: self.page(username, after)

    async def ours_count(self, username: str) -> Callable[[], Awaitable[int]]:
        """totalCount as the resolver gets it: `Page.count` of the first page (the page itself
        read once, untimed), in a session of its own."""
        reader = Reader()
        async with self.sessions() as session:
            reader.session = session
            page = await keyset_page(
                reader, q.tasks(self.principals[username], q.TaskFilter()), q.ORDER, q.sort_key,
                first=PAGE, after=None, descending=True,
            )  # fmt: skip

        async def call() -> int:
            async with self.sessions() as session:
                reader.session = session
                return await page.count()

        return call

    async def statement_of(self, call: Callable[[], Awaitable[object]]) -> tuple[str, Any]:
        """The SQL and parameters `call` sends to the driver (its last statement)."""
        captured = []

        def capture(_conn, _cursor, statement, parameters, _context, _executemany):
            captured.append((statement, parameters))

        event.listen(self.engine.sync_engine, "before_cursor_execute", capture)
        try:
            await call()
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", capture)
        return captured[-1]

    def raw(self, sql: str, params: Any) -> Callable[[], Awaitable[object]]:
        """The same statement, straight to the driver on an open connection: no statement
        building, no ORM, no cursors. The floor."""

        async def execute() -> list:
            return (await self.conn.exec_driver_sql(sql, params)).all()

        return execute


async def open_size(engine: AsyncEngine, size: int) -> Size:
    conn = await engine.connect()
    s = Size(size, engine, conn, async_sessionmaker(engine, expire_on_commit=False))
    async with s.sessions() as session:
        for username in USERS:
            s.principals[username] = await load_principal(session, username)
    return s


async def deep_cursors(s: Size, username: str) -> list[str | None]:
    """The cursors that lead to pages 1 .. DEEP_PAGE (fewer when there are fewer pages),
    found by following them page by page as a client would."""
    cursors: list[str | None] = [None]
    while len(cursors) < DEEP_PAGE:
        page = await s.page(username, cursors[-1])
        if not page.has_next_page:
            break
        cursors.append(page.cursors[-1])
    return cursors


async def median_ms(fns: list[Callable[[], Awaitable[object]]], warmup: int, repeat: int):
    """Median milliseconds of each of `fns`, run in turn so that drift hits them alike."""
    for _ in range(warmup):
        for fn in fns:
            await fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, bucket in zip(fns, times, strict=True):
            start = time.perf_counter()
            await fn()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(t) * 1000 for t in times]


# --- the run ------------------------------------------------------------------------------------


def open_count_for(args: argparse.Namespace, size: int) -> int:
    if args.open_percent is not None:
        return max(1, round(size * args.open_percent / 100))
    return args.open


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="loketflow-bench-") as tmp:
        sizes: list[Size] = []
        try:
            for size in args.sizes:
                start = time.perf_counter()
                engine = await make_engine(args.database_url, Path(tmp), size)
                await load(engine, size, open_count_for(args, size))
                sizes.append(await open_size(engine, size))
                print(
                    f"setup {size:>9,} instances: {time.perf_counter() - start:6.1f} s", flush=True
                )
            await measure(args, sizes)
        finally:
            for s in sizes:
                await s.conn.close()
                await s.engine.dispose()


async def measure(args: argparse.Namespace, sizes: list[Size]) -> None:
    small, big = sizes
    conn = big.conn
    if conn.dialect.name == "postgresql":
        kind = "PostgreSQL " + (await conn.scalar(text("SHOW server_version"))).split()[0]
    else:
        kind = "SQLite " + await conn.scalar(text("SELECT sqlite_version()"))
    print(f"database: {kind}")
    for s in sizes:
        total = await s.conn.scalar(select(func.count()).select_from(WI))
        opened = await s.conn.scalar(
            select(func.count()).select_from(IS).where(IS.c.state == StepState.OPEN)
        )
        print(
            f"  {total:>9,} workflow instances: {opened:,} open (IN_PROGRESS, one OPEN approval), "
            f"{total - opened:,} finished (history)"
        )
    if args.open_percent is None:
        print("  the open tasks are the same at every size: only history grows")
    else:
        print(f"  open tasks are {args.open_percent}% of each size: totalCount grows with it")
    print(f"page of {PAGE}; median of {args.repeat} runs after {args.warmup} warm-up runs")
    print(
        "ours: keyset_page(q.tasks(principal, TaskFilter()), ORDER, sort_key, descending) in a "
        "session of its own;\nraw: the same SQL and parameters straight to the driver on an open "
        "connection"
    )
    print()
    a, b = f"{small.size:,}", f"{big.size:,}"
    print(
        f"{'user':<20}{'measure':<12}{'rows':>6}{'ours ' + a:>15}{'ours ' + b:>15}{'big/small':>10}"
        f"{'raw ' + a:>14}{'raw ' + b:>14}{'big/small':>10}{'ours/raw':>10}"
    )
    for username in USERS:
        measures = []
        first = [s.ours(username, None) for s in (small, big)]
        measures.append(("first page", first))
        # The same page number at both sizes: the 10th, or the last one of the smaller list.
        cursors = [await deep_cursors(s, username) for s in (small, big)]
        deep = min(len(c) for c in cursors)
        deep_calls = [
            s.ours(username, c[deep - 1]) for s, c in zip((small, big), cursors, strict=True)
        ]
        measures.append((f"page {deep}", deep_calls))
        measures.append(("totalCount", [await s.ours_count(username) for s in (small, big)]))
        for label, calls in measures:
            results = [await call() for call in calls]
            check(username, label, results, same=args.open_percent is None)
            raws = [
                s.raw(*await s.statement_of(call))
                for s, call in zip((small, big), calls, strict=True)
            ]
            rows = results[1] if isinstance(results[1], int) else len(results[1].rows)
            o_s, o_b, r_s, r_b = await median_ms([*calls, *raws], args.warmup, args.repeat)
            print(
                f"{username:<20}{label:<12}{rows:>6}{o_s:>15.2f}{o_b:>15.2f}{o_b / o_s:>10.2f}"
                f"{r_s:>14.2f}{r_b:>14.2f}{r_b / r_s:>10.2f}{o_b / r_b:>10.1f}",
                flush=True,
            )


def check(username: str, label: str, results: list, *, same: bool) -> None:
    """Refuse to time an empty answer, or (same open tasks at every size) different answers."""
    if isinstance(results[0], int):
        if results[-1] == 0 or (same and len(set(results)) != 1):
            raise SystemExit(f"{username} {label}: unexpected counts {results}")
        return
    keys = [[(r.opened_at, r.state) for r in page.rows] for page in results]
    if not keys[-1] or any(r.state is not StepState.OPEN for page in results for r in page.rows):
        raise SystemExit(f"{username} {label}: an empty page, or a task that is not open")
    if same and any(k != keys[0] for k in keys):
        raise SystemExit(f"{username} {label}: the sizes answer different tasks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,1000000",
        help="workflow instances in the two databases compared, comma-separated",
    )
    parser.add_argument("--open", type=int, default=2000, help="open instances at every size")
    parser.add_argument(
        "--open-percent",
        type=float,
        help="instead of --open: this percentage of each size is open (totalCount then grows)",
    )
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per variant")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per variant first")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: --sizes 2000,20000 --open 600 --repeat 5"
    )
    parser.add_argument(
        "--database-url",
        help="postgresql+asyncpg://... (its schemas task_centre_<size> are dropped!); default: "
        "SQLite files in a temp dir",
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.open, args.repeat, args.warmup = "2000,20000", 600, 5, 2
    try:
        args.sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",")})
    except ValueError:
        parser.error("--sizes: whole numbers separated by commas")
    if len(args.sizes) != 2:
        parser.error("--sizes: two different sizes, e.g. 10000,1000000")
    if args.open_percent is None and not 0 < args.open < args.sizes[0]:
        parser.error("--open: more than 0 and fewer than the smallest size")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
