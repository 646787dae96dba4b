"""Benchmark: what the query limits cost (issue 8). Prints the p50 of typical operations executed
with the service's schema and with the same schema without the limit extensions (QueryLimits,
RateLimitMutations), and the ratio. Not a test: nothing here asserts a timing.

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
from graphql import get_introspection_query

from app.db.migrate import upgrade
from app.db.principals import load_principal
from app.db.session import Database
from app.demo import load_demo
from app.schema import EXTENSIONS, TYPES, schema
from app.schema.context import Context
from app.schema.extensions import RateLimitMutations
from app.schema.limits import QueryLimits
from app.schema.mutation import Mutation
from app.schema.query import Query
from app.schema.subscription import Subscription
from app.settings import Settings

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
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--database-url", default="")
    asyncio.run(main(parser.parse_args()))
