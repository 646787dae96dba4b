"""Alembic migrations and the models agree, on the database the suite runs against."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app.db.models import Base
from app.db.session import Database

# Expression indexes SQLite cannot reflect (checked by name below instead).
EXPRESSION_INDEXES = {"uq_roles_provider_lower_name"}


def _compare(sync_connection):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        indexes = {
            ix["name"]
            for table in inspect(sync_connection).get_table_names()
            for ix in inspect(sync_connection).get_indexes(table)
        }
        if sync_connection.dialect.name == "sqlite":
            rows = sync_connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
            )
            indexes |= {name for (name,) in rows}
    return diff, indexes


def _about_expression_index(op) -> bool:
    return op[0] in ("add_index", "remove_index") and op[1].name in EXPRESSION_INDEXES


async def test_migrations_match_the_models(settings):
    db = Database(settings)
    try:
        async with db.engine.connect() as conn:
            diff, indexes = await conn.run_sync(_compare)
    finally:
        await db.dispose()
    diff = [op for op in diff if not _about_expression_index(op)]
    assert diff == [], f"models changed without a migration: {diff}"
    assert indexes >= EXPRESSION_INDEXES
