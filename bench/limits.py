"""Benchmark: what the query limits cost (issue 8). Prints the p50 of typical operations executed
with the service's schema and with the same schema without the limit extensions (QueryLimits,
RateLimitMutations), and the ratio. Then what the demo's screens cost in points (issue 13.9)
against the per-operation limit and the budget per minute, with their p50 and milliseconds per
1,000 points. Not a test: nothing here asserts a timing.

    .venv/bin/python bench/limits.py [--repeat 300] [--database-url postgresql+asyncpg://...]

Operations run against the demo on a fresh database (an SQLite file in a temporary directory
by default), as `werkgever.hr`, through `schema.execute` with a real request context, so the
figures hold the limits' work (lexing, walking the document with fragments expanded) against
everything else an operation does (parsing, validation, resolvers, SQL).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import strawberry
from graphql import get_introspection_query, parse
from sqlalchemy import select

from app.db import models as m
from app.db.migrate import upgrade
from app.db.principals import load_principal
from app.db.session import Database
from app.demo.base import load_demo
from app.demo.history import load_demo_history
from app.schema import EXTENSIONS, TYPES, schema
from app.schema.context import Context
from app.schema.cost import measure
from app.schema.extensions import RateLimitMutations
from app.schema.ids import to_global_id
from app.schema.limits import QueryLimits
from app.schema.mutation import Mutation
from app.schema.query import Query
from app.schema.subscription import Subscription
from app.settings import Settings

# The heaviest screens a frontend of the demo shows, as an office user (kantoor.admin).
SCREENS = {
    "viewer (full)": """{ viewer { id username userType rights
        employers { id name mijnLoketVariant }
        access { employer { id name } rights roles { id name } }
        employments { id name } departments { id name } } }""",
    "task centre (50)": """{ taskCentre(first: 50) { totalCount countsPerType { type count }
        edges { cursor node { id kind name openedAt instance { id type displayName status
        submittedAt employee { id name } submitter { id username } } } }
        pageInfo { hasNextPage endCursor } } }""",
    "process overview (50)": """query ($e: ID!) { processOverview(employerId: $e, tab: OPEN,
        first: 50) { totalCount columns { column header kind }
        countsPerStatus { status label count } countsPerType { type count }
        edges { cursor node { id type displayName status statusLabel submittedAt nextActionBy
        employee { id name } submitter { id username displayName }
        expenseClaim { component { id name } value payrollPeriod } } }
        pageInfo { hasNextPage endCursor } } }""",
    "history with details (100)": """query ($e: ID!) { processOverview(employerId: $e,
        tab: HISTORICAL, first: 100) { edges { node { id type status statusLabel submittedAt
        employee { id name department { name } } submitter { id username displayName }
        steps { position kind name state stateLabel actionLabel comment doneAt
        actor { username displayName } }
        auditTrail { kind at position comment actor { username displayName } }
        requestedChange { label value } } } } }""",
    "employees page (50)": """query ($e: ID!) { node(id: $e) { ... on Employer {
        employees(first: 50) { totalCount edges { node { id employeeNumber name
        department { id name } } } pageInfo { hasNextPage endCursor } } } } }""",
    "workflow editor": """query ($e: ID!) { node(id: $e) { ... on Employer { id name
        roles { id name } departments { id name } workflowDefinitions { id type displayName
        active available missingProducts emailsPerRequest
        emailBreakdown { position name kind emails } currentVersion { version createdAt
        steps { position kind name sendEmail assignee { kind userType role { id name }
        users { id username } } } } } } } }""",
    "employer administration": """query ($e: ID!) { node(id: $e) { ... on Employer { id name
        mijnLoketVariant activeProducts products { product active changedAt }
        componentSets { id name isDefault components { id name label unit } }
        departments { id name } roles { id name }
        roleLinks { id role { id name } user { id username } } } } }""",
    "introspection": get_introspection_query(descriptions=True),
}
# A busy minute of one user: how many times each screen is loaded.
BUSY_MINUTE = {
    "viewer (full)": 2,  # a frontend reads it once per page load
    "task centre (50)": 20,
    "process overview (50)": 20,
    "history with details (100)": 2,
    "employees page (50)": 10,
    "workflow editor": 5,
    "employer administration": 2,
    "introspection": 1,
}

OPERATIONS = {
    "viewer": "{ viewer { id username userType rights } }",
    "employees page": """{ employers(first: 1) { edges { node { name
        employees(first: 50) { totalCount edges { node { id name department { name } } } }
        } } } }""",
    "task centre": """{ taskCentre(first: 50) { totalCount countsPerType { type count }
        edges { node { id kind name instance { id type status employee { name } } } } } }""",
    "introspection": get_introspection_query(descriptions=True),
}


def without_limits() -> strawberry.Schema:
    """The same schema, without the extensions that enforce limits."""
    keep = [e for e in EXTENSIONS if e not in (QueryLimits, RateLimitMutations)]
    return strawberry.Schema(
        query=Query, mutation=Mutation, subscription=Subscription, types=TYPES, extensions=keep
    )


async def p50_pair(first, second, repeat: int) -> tuple[float, float]:
    """Medians of two runners, interleaved run by run, so that load on the machine falls on
    both alike."""
    for _ in range(10):
        await first()
        await second()
    a, b = [], []
    for _ in range(repeat):
        for run, times in ((first, a), (second, b)):
            started = time.perf_counter()
            await run()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(a), statistics.median(b)


async def main(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp())
    settings = Settings(
        data_dir=tmp, database_url=args.database_url or "", jwt_secret="bench-" + "x" * 40
    )
    db = Database(settings)
    await upgrade(db.write_engine)
    async with db.writer() as session:
        await load_demo(session)
    async with db.reader() as session:
        principal = await load_principal(session, "werkgever.hr")
    plain = without_limits()

    def runner(target, query):
        async def run():
            context = Context(settings=settings, db=db, principal=principal)
            result = await target.execute(query, context_value=context)
            assert not result.errors, result.errors

        return run

    print(f"p50 of {args.repeat} runs, ms ({db.url.get_backend_name()})")
    print(f"{'operation':<16} {'with limits':>12} {'without':>10} {'ratio':>7}")
    for name, query in OPERATIONS.items():
        with_, without = await p50_pair(runner(schema, query), runner(plain, query), args.repeat)
        print(f"{name:<16} {with_:>12.2f} {without:>10.2f} {with_ / without:>7.2f}")
    # The screens over the demo as `loketflow demo load` leaves it: with months of requests.
    async with db.writer() as session:
        await load_demo_history(session)
    await screens(settings, db, max(10, args.repeat // 10))
    await db.dispose()


async def screens(settings: Settings, db: Database, repeat: int) -> None:
    """Each screen's cost in points, its p50 and the milliseconds one point stands for; then
    a busy minute against the budget."""
    async with db.reader() as session:
        principal = await load_principal(session, "kantoor.admin")
        employer = await session.scalar(select(m.Employer.id).order_by(m.Employer.id))
    variables = {"e": to_global_id("Employer", employer)}
    limit, budget = settings.max_query_cost, settings.rate_limit_query_cost_per_minute
    print()
    print(
        f"cost of the demo's screens as kantoor.admin (limit {limit} per operation, "
        f"budget {budget} per minute), p50 of {repeat} runs"
    )
    print(f"{'screen':<28} {'points':>8} {'ms':>8} {'ms/1k points':>13}")
    costs = {}
    for name, query in SCREENS.items():
        given = variables if "$e" in query else None
        costs[name] = measure(schema._schema, parse(query), None, given or {}).total

        async def run(query=query, given=given):
            context = Context(settings=settings, db=db, principal=principal)
            result = await schema.execute(query, variable_values=given, context_value=context)
            assert not result.errors, result.errors

        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            await run()
            times.append((time.perf_counter() - started) * 1000)
        p50 = statistics.median(times)
        print(f"{name:<28} {costs[name]:>8} {p50:>8.2f} {p50 / costs[name] * 1000:>13.2f}")
    busy = sum(costs[name] * n for name, n in BUSY_MINUTE.items())
    loads = sum(BUSY_MINUTE.values())
    print(f"a busy minute ({loads} screens): {busy} points, {busy / budget:.0%} of the budget")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--database-url", default="")
    asyncio.run(main(parser.parse_args()))
