"""The audit trail is append-only: the database refuses to change or remove an entry

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

SQLite: a trigger refuses UPDATE (DELETE stays possible so that a test database can be emptied;
the application never deletes). PostgreSQL: a trigger refuses UPDATE and DELETE of rows (TRUNCATE,
an administrator's tool, is not a row operation).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_entries_immutable BEFORE UPDATE ON audit_entries "
            "BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION audit_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'audit entries are immutable'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_entries_immutable BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_immutable()"
    )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS audit_entries_immutable"
        + ("" if op.get_bind().dialect.name == "sqlite" else " ON audit_entries")
    )
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS audit_entries_immutable()")
