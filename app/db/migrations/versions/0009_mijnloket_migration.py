"""Collective migration from Werknemerloket to MijnLoket: actions, items, invitations, log;
password hashes for registered MijnLoket accounts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collective_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "RUNNING",
                "DONE",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["employers.id"],
            name=op.f("fk_collective_actions_employer_id_employers"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_collective_actions_started_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collective_actions")),
    )
    with op.batch_alter_table("collective_actions", schema=None) as batch_op:
        batch_op.create_index("ix_collective_actions_employer", ["employer_id", "id"], unique=False)
        batch_op.create_index(
            "ix_collective_actions_waiting",
            ["created_at", "id"],
            unique=False,
            sqlite_where=sa.text("status IN ('PENDING', 'RUNNING')"),
            postgresql_where=sa.text("status IN ('PENDING', 'RUNNING')"),
        )

    op.create_table(
        "collective_action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "PROCESSED",
                "FAILED",
                "SKIPPED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["collective_actions.id"],
            name=op.f("fk_collective_action_items_action_id_collective_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_collective_action_items_employee_id_employees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collective_action_items")),
        sa.UniqueConstraint(
            "action_id",
            "employee_id",
            name=op.f("uq_collective_action_items_action_id_employee_id"),
        ),
    )
    with op.batch_alter_table("collective_action_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collective_action_items_employee_id"), ["employee_id"], unique=False
        )

    op.create_table(
        "collective_action_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["collective_actions.id"],
            name=op.f("fk_collective_action_log_action_id_collective_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_collective_action_log_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_collective_action_log_employee_id_employees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collective_action_log")),
    )
    with op.batch_alter_table("collective_action_log", schema=None) as batch_op:
        batch_op.create_index("ix_collective_action_log_action", ["action_id", "id"], unique=False)

    op.create_table(
        "mijnloket_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminder_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["users.id"], name=op.f("fk_mijnloket_invitations_account_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["collective_actions.id"],
            name=op.f("fk_mijnloket_invitations_action_id_collective_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_mijnloket_invitations_employee_id_employees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mijnloket_invitations")),
        sa.UniqueConstraint("employee_id", name=op.f("uq_mijnloket_invitations_employee_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_mijnloket_invitations_token_hash")),
    )
    with op.batch_alter_table("mijnloket_invitations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mijnloket_invitations_reminder_due",
            ["sent_at", "id"],
            unique=False,
            sqlite_where=sa.text("used_at IS NULL AND reminder_sent_at IS NULL"),
            postgresql_where=sa.text("used_at IS NULL AND reminder_sent_at IS NULL"),
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_hash")

    with op.batch_alter_table("mijnloket_invitations", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_mijnloket_invitations_reminder_due",
            sqlite_where=sa.text("used_at IS NULL AND reminder_sent_at IS NULL"),
            postgresql_where=sa.text("used_at IS NULL AND reminder_sent_at IS NULL"),
        )

    op.drop_table("mijnloket_invitations")
    with op.batch_alter_table("collective_action_log", schema=None) as batch_op:
        batch_op.drop_index("ix_collective_action_log_action")

    op.drop_table("collective_action_log")
    with op.batch_alter_table("collective_action_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collective_action_items_employee_id"))

    op.drop_table("collective_action_items")
    with op.batch_alter_table("collective_actions", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_collective_actions_waiting",
            sqlite_where=sa.text("status IN ('PENDING', 'RUNNING')"),
            postgresql_where=sa.text("status IN ('PENDING', 'RUNNING')"),
        )
        batch_op.drop_index("ix_collective_actions_employer")

    op.drop_table("collective_actions")
