"""The database: async engines and sessions, with SQLite and PostgreSQL each set up properly.

SQLite: WAL (readers never block the writer), a busy timeout, and every write transaction opened
with ``BEGIN IMMEDIATE`` so that two writers queue for the lock up front instead of one failing
with "database is locked" when it upgrades a read lock halfway. Writes in this process also pass
one at a time through a pool of one connection; the busy timeout covers other processes.

PostgreSQL: asyncpg with a bounded pool and a server-side statement timeout.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeAlias

from sqlalchemy import Select, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.settings import Settings

# What a use case is handed: app/resolvers name it without importing SQLAlchemy.
Session = AsyncSession
# Any SELECT, whatever it selects (SQLAlchemy 2.1 types a Select by the columns it returns).
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


class Database:
    def __init__(self, settings: Settings):
        self.url = make_url(settings.sqlalchemy_url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self._prepare_sqlite_file()
            self.engine = self._sqlite_engine(settings, immediate=False)
            self.write_engine = self._sqlite_engine(settings, immediate=True)
        else:
            self.engine = create_async_engine(
                self.url,
                echo=settings.db_echo,
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_max_overflow,
                pool_timeout=settings.db_pool_timeout_seconds,
                pool_pre_ping=True,
                connect_args={
                    "server_settings": {
                        "statement_timeout": str(settings.db_statement_timeout_ms),
                        "application_name": "loketflow",
                        # Short OLTP queries: JIT compiling a plan costs more than it saves
                        # (measured: 200-300 ms on a 100 ms overview page at 1M requests).
                        "jit": "off",
                    }
                },
            )
            self.write_engine = self.engine
        self._read_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False)

    def _prepare_sqlite_file(self) -> None:
        database = self.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)

    def _sqlite_engine(self, settings: Settings, *, immediate: bool) -> AsyncEngine:
        engine = create_async_engine(
            self.url,
            echo=settings.db_echo,
            # One writer connection: in-process writers queue here, not on the file lock.
            **({"pool_size": 1, "max_overflow": 0, "pool_timeout": 60} if immediate else {}),
        )
        busy_ms = settings.sqlite_busy_timeout_ms

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Take transaction control away from the driver so that we can say BEGIN IMMEDIATE.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Connection) -> None:
            connection.exec_driver_sql(begin)

        return engine

    def reader(self) -> AsyncSession:
        """A session for reads; one per request, closed when the request ends."""
        return self._read_sessions()

    @asynccontextmanager
    async def writer(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        async with self._write_sessions() as session, session.begin():
            yield session

    async def optimize(self) -> None:
        """SQLite: refresh the planner's statistics, so that indexes are chosen well as the data
        grows (at start and stop). `PRAGMA optimize` alone looks only at tables its connection
        has queried (SQLite before 3.46): at start none, so a fresh deployment never had any.
        With `analysis_limit` ANALYZE samples each index instead of reading it whole: about
        10 ms at a million rows, against 0.4 s. PostgreSQL's autovacuum does this itself."""
        if self.is_sqlite:
            async with self.write_engine.connect() as connection:
                await connection.exec_driver_sql("PRAGMA analysis_limit=1000")
                await connection.exec_driver_sql("ANALYZE")
                await connection.commit()

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()
