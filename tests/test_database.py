"""The engines are configured as promised: SQLite in WAL with a busy timeout and BEGIN IMMEDIATE
for writes; PostgreSQL with a statement timeout and a bounded pool."""

from __future__ import annotations

from sqlalchemy import text

from app.db.session import Database


async def test_session_settings(settings):
    db = Database(settings)
    try:
        async with db.writer() as session:
            if db.is_sqlite:
                assert (await session.scalar(text("PRAGMA journal_mode"))) == "wal"
                assert (await session.scalar(text("PRAGMA busy_timeout"))) == 30_000
                assert (await session.scalar(text("PRAGMA foreign_keys"))) == 1
                # Writers of this process queue on one connection (BEGIN IMMEDIATE is tested
                # with real processes in tests/api/test_concurrency.py).
                assert db.write_engine.pool.size() == 1
            else:
                assert (await session.scalar(text("SHOW statement_timeout"))) == "15s"
                assert db.engine.pool.size() == 10
                assert db.engine.pool._max_overflow == 5
    finally:
        await db.dispose()


async def test_foreign_keys_are_enforced(settings):
    """A write that breaks integrity fails and leaves nothing behind, on both databases."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from app.db import models as m

    db = Database(settings)
    try:
        with pytest.raises(IntegrityError):
            async with db.writer() as session:
                session.add(m.Department(employer_id=987654, name="Nergens"))
        async with db.reader() as session:
            assert (
                await session.scalar(
                    text("SELECT count(*) FROM departments WHERE name = 'Nergens'")
                )
            ) == 0
    finally:
        await db.dispose()


async def test_sqlite_has_planner_statistics_from_the_first_start(settings, db):
    """Without statistics SQLite may walk the wrong index of a million requests; `PRAGMA
    optimize` alone never gives a fresh deployment any. Starting the server does."""
    import pytest
    from asgi_lifespan import LifespanManager

    from app.server import create_app

    if not db.is_sqlite:
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    async with db.writer() as session:
        await session.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
    tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    async with LifespanManager(create_app(settings)), db.reader() as session:
        analysed = set(await session.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
        filled = {
            name
            for name in await session.scalars(text(tables))
            if await session.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")'))
        }
    assert "employees" in filled and filled <= analysed
