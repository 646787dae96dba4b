"""Benchmark: importing employees from .xlsx (`importEmployees`), against openpyxl's own
read-only read of the same file.

Prints rows/s and ratios, which stay comparable across machines where seconds do not, and the
peak of Python's allocations (tracemalloc) for 1,000 and 10,000 rows. Not a test: nothing here
asserts a timing. See bench/README.md for what the numbers mean.

    .venv/bin/python bench/import_employees.py [--sizes 1000,10000]
    .venv/bin/python bench/import_employees.py --database-url postgresql+asyncpg://user@host/db

With --database-url the schema `public` of that database is DROPPED and recreated: give the
benchmark a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import io
import json
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.db import models as m
from app.db.migrate import upgrade
from app.demo.base import EMPLOYER_NAME, load_demo
from app.domain.employee_sheet import HEADERS
from app.schema.ids import to_global_id
from app.server import create_app
from app.settings import Settings
from app.web.auth import issue_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT = """mutation ($input: ImportEmployeesInput!) { importEmployees(input: $input) {
  applied created updated unchanged refused errors { code message } } }"""
DEPARTMENTS = ("Verkoop", "Magazijn", "Administratie", "Logistiek")


def bsn(seed: int) -> str:
    for base in range(10_000_000 + seed * 11, 10_000_000 + seed * 11 + 11):
        digits = f"{base:08d}"
        last = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if last < 10:
            return digits + str(last)
    raise AssertionError(seed)


def sheet(first: int, rows: int) -> bytes:
    """An .xlsx of `rows` valid employees numbered from `first`, every column filled."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Werknemers")
    ws.append(list(HEADERS))
    for number in range(first, first + rows):
        born = dt.date(1970 + number % 30, 1 + number % 12, 1 + number % 28)
        ws.append(
            [
                number, f"Werknemer {number}", born,
                DEPARTMENTS[number % 4], f"w{number}@prive.example.nl", "030 123 4567", 612345678,
                "Kerkstraat", number % 200 + 1, "3511 AB", "Utrecht", "NL", "NL91ABNA0417164300",
                bsn(number), dt.date(2024, 1, 1), None, "31-12-2027", "nee",
            ]
        )  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def openpyxl_read(data: bytes) -> int:
    """openpyxl's own read of the file: every cell of every row, read-only mode (the floor)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count - 1


async def prepare(url: str) -> None:
    engine = create_async_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
    finally:
        await engine.dispose()


async def timed(work: Callable[[], Awaitable[object]]) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    result = await work()
    return time.perf_counter() - start, result


async def peak(work: Callable[[], Awaitable[object]]) -> int:
    """Peak bytes Python allocated while `work` ran (tracemalloc: slower, so timed apart)."""
    gc.collect()
    tracemalloc.start()
    try:
        await work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def run(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="loketflow-bench-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(
            database_url=url,
            data_dir=Path(tmp),
            jwt_secret="bench-" + "x" * 40,
            rate_limit_mutations_per_minute=0,
        )
        await prepare(settings.sqlalchemy_url)
        app = create_app(settings)
        db = app.state.db
        async with db.writer() as session:
            await load_demo(session)
            employer_pk = await session.scalar(select(m.Employer.id).filter_by(name=EMPLOYER_NAME))
        employer = to_global_id("Employer", employer_pk)
        token = issue_token(settings, "kantoor.admin")
        transport = httpx.ASGITransport(app=app)
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client,
        ):

            def post(data: bytes, dry_run: bool) -> Callable[[], Awaitable[dict]]:
                async def send() -> dict:
                    variables = {"input": {"employerId": employer, "file": None, "dryRun": dry_run}}
                    response = await client.post(
                        "/graphql",
                        data={
                            "operations": json.dumps({"query": IMPORT, "variables": variables}),
                            "map": json.dumps({"0": ["variables.input.file"]}),
                        },
                        files={"0": ("bench.xlsx", data, XLSX)},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    body = response.json()
                    report = (body.get("data") or {}).get("importEmployees")
                    if response.status_code != 200 or not report or report["errors"]:
                        raise SystemExit(f"import failed: {response.status_code} {body}")
                    return report

                return send

            kind = "PostgreSQL" if not db.is_sqlite else "SQLite"
            print(f"database: {kind}; the demo loaded; one import at a time, in-process HTTP")
            print()
            print(
                f"{'rows':>7}  {'what':<30}{'s':>8}{'rows/s':>10}{'/ openpyxl':>12}{'peak MiB':>10}"
            )
            for index, size in enumerate(sizes):
                base = 1_000_000 * (index + 1)
                data, fresh = sheet(base, size), sheet(base + 500_000, size)

                async def read(data: bytes = data) -> int:
                    return await asyncio.to_thread(openpyxl_read, data)

                floor_s, count = await timed(read)
                assert count == size, count
                floor_peak = await peak(read)
                dry_s, dry = await timed(post(data, True))
                dry_peak = await peak(post(data, True))
                apply_s, applied = await timed(post(data, False))
                again_s, again = await timed(post(data, False))
                apply_peak = await peak(post(fresh, False))
                assert dry["created"] == size and applied["created"] == size, (dry, applied)
                assert again["unchanged"] == size, again
                mib = 1 / 1_048_576
                lines = [
                    ("openpyxl read-only read", floor_s, floor_peak),
                    ("importEmployees dryRun", dry_s, dry_peak),
                    ("importEmployees applied", apply_s, apply_peak),
                    ("same file again (unchanged)", again_s, None),
                ]
                for what, seconds, peak_bytes in lines:
                    shown = f"{peak_bytes * mib:>10.1f}" if peak_bytes is not None else f"{'':>10}"
                    print(
                        f"{size:>7}  {what:<30}{seconds:>8.2f}{size / seconds:>10.0f}"
                        f"{seconds / floor_s:>12.1f}{shown}"
                    )
                print(f"{'':>7}  file: {len(data) / 1024:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="rows per file, comma-separated")
    parser.add_argument(
        "--database-url",
        help="postgresql+asyncpg://... (its schema public is dropped!); default: SQLite in a "
        "temp dir",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
