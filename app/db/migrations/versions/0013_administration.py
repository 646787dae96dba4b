"""Running a real office: the administration log, employer users at several employers,
deactivated users, the signed MijnLoket addendum, archived components

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

The administration log is append-only like the audit trail (0005): SQLite refuses UPDATE (a
test database is emptied with DELETE), PostgreSQL refuses UPDATE and DELETE of rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As app/db/models/base.py's UTCDateTime stores it.
_AT = sa.DateTime(timezone=True)

# The rights as right_grants.right's CHECK allows them, before and after this revision.
_RIGHTS_BEFORE = (
    "VIEW_WORKFLOW_EDITOR",
    "MANAGE_WORKFLOW_EDITOR",
    "PROCESS_MANAGEMENT",
    "VIEW_MIJNLOKET_EMAIL",
    "MANAGE_USERS",
    "MANAGE_ROLES",
    "MANAGE_PRODUCTS",
    "COLLECTIVE_ACTIONS",
    "VIEW_EMPLOYEES",
)
_RIGHTS_AFTER = (*_RIGHTS_BEFORE, "MANAGE_EMPLOYERS", "MANAGE_EMPLOYEES")


def _rights(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="right", native_enum=False, create_constraint=True, length=40)


def _allow_rights(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Widen (or narrow) the CHECK on right_grants.right."""
    if op.get_bind().dialect.name == "sqlite":  # the table is rebuilt with the new CHECK
        with op.batch_alter_table("right_grants", recreate="always") as batch:
            batch.alter_column("right", existing_type=_rights(old), type_=_rights(new))
        return
    listed = ", ".join(f"'{value}'" for value in new)
    op.execute("ALTER TABLE right_grants DROP CONSTRAINT ck_right_grants_right")
    op.execute(
        f"ALTER TABLE right_grants ADD CONSTRAINT ck_right_grants_right "
        f'CHECK ("right" IN ({listed}))'
    )


def upgrade() -> None:
    _allow_rights(_RIGHTS_BEFORE, _RIGHTS_AFTER)
    op.create_table(
        "administration_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", _AT, nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("provider_id", sa.Integer(), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("employer_id", sa.Integer(), sa.ForeignKey("employers.id"), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject_type", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_administration_log_provider", "administration_log", ["provider_id", "id"])
    op.create_index("ix_administration_log_actor_id", "administration_log", ["actor_id"])
    op.create_index("ix_administration_log_employer_id", "administration_log", ["employer_id"])
    op.create_table(
        "user_employers",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("employer_id", sa.Integer(), sa.ForeignKey("employers.id"), primary_key=True),
        sa.Column("added_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("added_at", _AT, nullable=False),
    )
    op.create_index("ix_user_employers_employer_id", "user_employers", ["employer_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("deactivated_at", _AT, nullable=True))
        batch.add_column(
            sa.Column(
                "deactivated_by_id",
                sa.Integer(),
                sa.ForeignKey("users.id", name="fk_users_deactivated_by_id"),
                nullable=True,
            )
        )
    with op.batch_alter_table("providers") as batch:
        batch.add_column(sa.Column("mijnloket_addendum_signatory", sa.String(200), nullable=True))
        batch.add_column(sa.Column("mijnloket_addendum_signed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("components") as batch:
        batch.add_column(sa.Column("archived_at", _AT, nullable=True))

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER administration_log_immutable BEFORE UPDATE ON administration_log "
            "BEGIN SELECT RAISE(ABORT, 'the administration log is append-only'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION administration_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'the administration log is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER administration_log_immutable BEFORE UPDATE OR DELETE ON "
        "administration_log FOR EACH ROW EXECUTE FUNCTION administration_log_immutable()"
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM right_grants WHERE \"right\" IN ('MANAGE_EMPLOYERS', 'MANAGE_EMPLOYEES')"
    )
    _allow_rights(_RIGHTS_AFTER, _RIGHTS_BEFORE)
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(
        "DROP TRIGGER IF EXISTS administration_log_immutable"
        + ("" if sqlite else " ON administration_log")
    )
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS administration_log_immutable()")
    with op.batch_alter_table("components") as batch:
        batch.drop_column("archived_at")
    with op.batch_alter_table("providers") as batch:
        batch.drop_column("mijnloket_addendum_signed_on")
        batch.drop_column("mijnloket_addendum_signatory")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("deactivated_by_id")
        batch.drop_column("deactivated_at")
    op.drop_table("user_employers")
    op.drop_table("administration_log")
