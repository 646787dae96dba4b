"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL with
LOKETFLOW_TEST_DATABASE_URL), the demo data fresh for every test, and the real ASGI app.

`graphql(query, variables, as_user="werkgever.hr")` posts through HTTP with a real token.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.db import models as m
from app.db.migrate import upgrade
from app.db.session import Database
from app.demo.base import load_demo
from app.server import create_app
from app.settings import Settings
from app.web.auth import issue_token

PG_URL_ENV = "LOKETFLOW_TEST_DATABASE_URL"


def _test_url(tmp_dir: Path) -> str:
    return os.environ.get(PG_URL_ENV) or f"sqlite+aiosqlite:///{tmp_dir / 'test.db'}"


async def _prepare(url: str) -> None:
    engine = create_async_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """Settings for the whole run; the schema is migrated once, from the first revision."""
    data_dir = tmp_path_factory.mktemp("loketflow")
    url = _test_url(data_dir)
    asyncio.run(_prepare(url))
    # No rate limit by default: tests post many mutations as one user in a second; the limit
    # has tests of its own (tests/api/test_rate_limit.py).
    return Settings(
        database_url=url,
        data_dir=data_dir,
        jwt_secret="test-secret-" + "x" * 40,
        rate_limit_mutations_per_minute=0,
    )


async def _truncate(db: Database) -> None:
    tables = [t.name for t in reversed(m.Base.metadata.sorted_tables)]
    async with db.writer() as session:
        if db.is_sqlite:
            for name in tables:
                await session.execute(text(f'DELETE FROM "{name}"'))
        else:
            quoted = ", ".join(f'"{t}"' for t in tables)
            await session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def db(settings) -> AsyncIterator[Database]:
    """A database holding exactly the demo data, for setting up and asserting."""
    database = Database(settings)
    await _truncate(database)
    async with database.writer() as session:
        await load_demo(session)
    yield database
    await database.dispose()


@pytest.fixture
async def app(settings, db):
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def token(settings):
    def make(username: str) -> str:
        return issue_token(settings, username)

    return make


@pytest.fixture
def graphql(client, token):
    async def post(
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_user: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        all_headers = dict(headers or {})
        if as_user is not None:
            all_headers["Authorization"] = f"Bearer {token(as_user)}"
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    return post


@pytest.fixture
def ids(db):
    """Global IDs of demo objects by natural key: `await ids.employee(1)`, `ids.user("x")`."""
    from app.schema.ids import to_global_id

    class Ids:
        async def _one(self, stmt) -> int:
            async with db.reader() as session:
                pk = await session.scalar(stmt)
            assert pk is not None, stmt
            return pk

        async def employer(self, name: str = "De Ideale Klant B.V.") -> str:
            return to_global_id(
                "Employer", await self._one(select(m.Employer.id).where(m.Employer.name == name))
            )

        async def employee(self, number: int) -> str:
            stmt = select(m.Employee.id).where(m.Employee.employee_number == number)
            return to_global_id("Employee", await self._one(stmt))

        async def user(self, username: str) -> str:
            stmt = select(m.User.id).where(m.User.username == username)
            return to_global_id("User", await self._one(stmt))

        async def role(self, name: str) -> str:
            return to_global_id(
                "Role", await self._one(select(m.Role.id).where(m.Role.name == name))
            )

    return Ids()


def errors_of(result: dict[str, Any]) -> list[str]:
    """The `extensions.code` of each GraphQL error in a response."""
    return [e.get("extensions", {}).get("code") for e in result.get("errors", [])]
