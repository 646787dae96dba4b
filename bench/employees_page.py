"""Benchmark: one page of an employer's employees, through GraphQL and as raw SQL.

Prints ratios, which stay comparable across machines where milliseconds do not. Not a test:
nothing here asserts a timing. See bench/README.md for what the ratios mean.

    .venv/bin/python bench/employees_page.py [--employees N] [--repeat R]
    .venv/bin/python bench/employees_page.py --database-url postgresql+asyncpg://user@host/db

With --database-url the schema `public` of that database is DROPPED and recreated: give the
benchmark a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine

from app.db import models as m
from app.db.migrate import upgrade
from app.db.queries.pagination import encode_cursor
from app.demo.base import EMPLOYER_NAME, FIRST_NAMES, SURNAMES, load_demo
from app.server import create_app
from app.settings import Settings
from app.web.auth import issue_token

PAGE = 50
BATCH = 2_000
DEEP = 0.9  # the deep page starts after the row at 90% of the list
# Added to the demo's 25 + 25 names: about 4,000 combinations, so names repeat a little.
MORE_FIRST = (
    "Anna", "Bas", "Chantal", "Dirk", "Esther", "Frank", "Gerrit", "Hanna", "Ingrid", "Jan",
    "Kees", "Linda", "Maarten", "Nina", "Otto", "Pim", "Quinten", "Rik", "Saskia", "Tessa", "Ugo",
    "Vera", "Wouter", "Yara", "Zeynep", "Mohamed", "Fatima", "Priya", "Wei", "Olga",
)  # fmt: skip
MORE_SURNAMES = (
    "Willems", "van Beek", "Hoekstra", "Koster", "Prins", "Huisman", "Peeters", "van Wijk",
    "Postma", "Kuipers", "Veenstra", "Kramer", "van den Broek", "de Haan", "Schouten",
    "van Vliet", "Claassen", "Verhoeven", "Bosman", "El Amrani", "Yılmaz", "Nguyen", "Janssens",
    "van der Linden", "Timmermans", "Evers", "Boukhari", "Groen", "Hermans", "Lammers",
)  # fmt: skip
QUERY = """query ($after: String) { employers { edges { node {
  employees(first: 50, after: $after) {
    edges { node { id name employeeNumber department { name } } }
    pageInfo { endCursor }
  } } } } }"""


def raw_sql(*, department: bool, deep: bool):
    """The query `employees(first: 50)` boils down to, without scoping or a principal."""
    return text(
        "SELECT e.id, e.name, e.employee_number, d.name FROM employees e"
        " JOIN departments d ON d.id = e.department_id WHERE e.employer_id = :employer"
        + (" AND e.department_id = :department" if department else "")
        + (" AND (e.name, e.id) > (:name, :id)" if deep else "")
        + f" ORDER BY e.name, e.id LIMIT {PAGE + 1}"
    )


async def prepare(url: str) -> None:
    """A migrated, empty schema (on PostgreSQL: schema public dropped first, as in the tests)."""
    engine = create_async_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
    finally:
        await engine.dispose()


async def add_employees(session: AsyncSession, count: int) -> None:
    """`count` more employees of the demo employer, each with a person, spread over its
    departments, with names drawn at random (fixed seed) so that the name order is shuffled."""
    rng = random.Random(2026)
    first_names, surnames = [*FIRST_NAMES, *MORE_FIRST], [*SURNAMES, *MORE_SURNAMES]
    employer_id = await session.scalar(select(m.Employer.id).filter_by(name=EMPLOYER_NAME))
    departments = list(
        await session.scalars(select(m.Department.id).filter_by(employer_id=employer_id))
    )
    number = await session.scalar(select(func.max(m.Employee.employee_number))) or 0
    for start in range(0, count, BATCH):
        names = [
            f"{rng.choice(first_names)} {rng.choice(surnames)}"
            for _ in range(min(BATCH, count - start))
        ]
        persons = [
            {"name": n, "date_of_birth": dt.date(1960, 1, 1) + dt.timedelta(rng.randrange(15_000))}
            for n in names
        ]
        returning = insert(m.Person).returning(m.Person.id, sort_by_parameter_order=True)
        person_ids = (await session.scalars(returning, persons)).all()
        rows = []
        for person_id, name in zip(person_ids, names, strict=True):
            number += 1
            rows.append(
                {
                    "employer_id": employer_id,
                    "person_id": person_id,
                    "department_id": rng.choice(departments),
                    "employee_number": number,
                    "name": name,
                    "country": "NL",
                    "werknemerloket_state": m.WerknemerloketState.ACTIVE,
                    "is_on_call": False,
                    "employment_start": dt.date(2005, 1, 1) + dt.timedelta(rng.randrange(7_000)),
                }
            )
        await session.execute(insert(m.Employee), rows)


async def median_ms(
    a: Callable[[], Awaitable[object]], b: Callable[[], Awaitable[object]], warmup: int, repeat: int
) -> tuple[float, float]:
    """Median milliseconds of `a` and of `b`, run alternately so that drift hits both alike."""
    for _ in range(warmup):
        await a()
        await b()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, bucket in ((a, times[0]), (b, times[1])):
            start = time.perf_counter()
            await fn()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="loketflow-bench-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(database_url=url, data_dir=Path(tmp), jwt_secret="bench-" + "x" * 40)
        setup_start = time.perf_counter()
        await prepare(settings.sqlalchemy_url)
        app = create_app(settings)
        db = app.state.db
        async with db.writer() as session:
            await load_demo(session)
        async with db.writer() as session:
            await add_employees(session, args.employees)
        if not db.is_sqlite:  # what autovacuum does soon after a bulk load: planner statistics
            async with db.engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
        setup_s = time.perf_counter() - setup_start

        transport = httpx.ASGITransport(app=app)
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
            db.engine.connect() as conn,
        ):
            await measure(args, settings, client, conn, setup_s)


async def measure(args, settings, client: httpx.AsyncClient, conn: AsyncConnection, setup_s):
    employer = await conn.scalar(select(m.Employer.id).filter_by(name=EMPLOYER_NAME))
    verkoop = await conn.scalar(
        select(m.Department.id).filter_by(employer_id=employer, name="Verkoop")
    )
    total = await conn.scalar(select(func.count()).select_from(m.Employee))

    async def deep_row(department: int | None) -> dict:
        """The (name, id) of the row at 90% of the list, the way the API orders it."""
        stmt = select(m.Employee.name, m.Employee.id).filter_by(employer_id=employer)
        if department is not None:
            stmt = stmt.filter_by(department_id=department)
        size = await conn.scalar(select(func.count()).select_from(stmt.subquery()))
        stmt = stmt.order_by(m.Employee.name, m.Employee.id).offset(int(size * DEEP)).limit(1)
        name, pk = (await conn.execute(stmt)).one()
        return {"name": name, "id": pk}

    hr_deep, verkoop_deep = await deep_row(None), await deep_row(verkoop)

    def ours(username: str, after: dict | None = None) -> Callable[[], Awaitable[dict]]:
        headers = {"Authorization": f"Bearer {issue_token(settings, username)}"}
        variables = {"after": encode_cursor((after["name"], after["id"])) if after else None}

        async def post() -> dict:
            response = await client.post(
                "/graphql", json={"query": QUERY, "variables": variables}, headers=headers
            )
            return response.json()

        return post

    def raw(department: int | None = None, after: dict | None = None):
        stmt = raw_sql(department=department is not None, deep=after is not None)
        params = {"employer": employer, "department": department, **(after or {})}

        async def execute() -> list:
            return (await conn.execute(stmt, params)).all()

        return execute

    hr, hr_deep_page = ours("werkgever.hr"), ours("werkgever.hr", hr_deep)
    mgr, mgr_deep_page = ours("manager.verkoop"), ours("manager.verkoop", verkoop_deep)
    for post, only_verkoop in {hr: 0, hr_deep_page: 0, mgr: 1, mgr_deep_page: 1}.items():
        check(await post(), bool(only_verkoop))

    rows = [
        ("ours / raw", "werkgever.hr, first page", hr, raw()),
        ("ours / raw", "manager.verkoop, first page", mgr, raw(verkoop)),
        ("deep / first", "ours, werkgever.hr", hr_deep_page, hr),
        ("deep / first", "ours, manager.verkoop", mgr_deep_page, mgr),
        ("deep / first", "raw, whole employer", raw(after=hr_deep), raw()),
        ("deep / first", "raw, Verkoop only", raw(verkoop, verkoop_deep), raw(verkoop)),
        ("manager / hr", "ours, first page", mgr, hr),
    ]
    kind = "SQLite (file in a temp dir)"
    if conn.dialect.name == "postgresql":
        kind = "PostgreSQL " + (await conn.scalar(text("SHOW server_version"))).split()[0]
    print(f"database: {kind}")
    print(f"employees: {total:,} ({args.employees:,} added to the demo's 50), page of {PAGE}")
    print(f"median of {args.repeat} runs after {args.warmup} warm-up runs; setup {setup_s:.1f}s")
    print()
    print(f"{'ratio':<14}{'of':<30}{'A ms':>9}{'B ms':>9}{'A/B':>8}")
    for ratio, label, a, b in rows:
        a_ms, b_ms = await median_ms(a, b, args.warmup, args.repeat)
        print(f"{ratio:<14}{label:<30}{a_ms:>9.2f}{b_ms:>9.2f}{a_ms / b_ms:>8.2f}")


def check(result: dict, only_verkoop: bool) -> None:
    """Refuse to time a query that fails or answers something else than a full page."""
    if "errors" in result:
        raise SystemExit(f"the GraphQL query failed: {result['errors']}")
    (employer,) = result["data"]["employers"]["edges"]
    edges = employer["node"]["employees"]["edges"]
    departments = {e["node"]["department"]["name"] for e in edges}
    if len(edges) != PAGE or (only_verkoop and departments != {"Verkoop"}):
        raise SystemExit(f"unexpected page: {len(edges)} rows from {sorted(departments)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=20_000, help="extra employees to add")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per side")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs per side first")
    parser.add_argument(
        "--database-url",
        help="postgresql+asyncpg://... (its schema public is dropped!); default: SQLite in a "
        "temp dir",
    )
    args = parser.parse_args()
    if args.employees < 1000:
        parser.error("--employees: at least 1000, so that the deep page lies deep")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
