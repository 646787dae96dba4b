"""Indexes for the process-management overview; Excel exports and their file parts

Revision ID: 0007
Revises: 0006
The index on employee_id alone becomes (employee_id, id): one employee's requests in order.

Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "RUNNING",
                "READY",
                "FAILED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("rows_written", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_exports_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_exports_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
        sa.UniqueConstraint("token", name=op.f("uq_exports_token")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index("ix_exports_user", ["user_id", "id"], unique=False)
        batch_op.create_index(
            "ix_exports_waiting",
            ["created_at", "id"],
            unique=False,
            sqlite_where=sa.text("status IN ('PENDING', 'RUNNING')"),
            postgresql_where=sa.text("status IN ('PENDING', 'RUNNING')"),
        )

    op.create_table(
        "export_parts",
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"], ["exports.id"], name=op.f("fk_export_parts_export_id_exports")
        ),
        sa.PrimaryKeyConstraint("export_id", "seq", name=op.f("pk_export_parts")),
    )
    with op.batch_alter_table("workflow_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_instances_employee_id"))
        batch_op.create_index("ix_workflow_instances_employee", ["employee_id", "id"], unique=False)
        batch_op.create_index(
            "ix_workflow_instances_employer_submitted",
            ["employer_id", "submitted_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_workflow_instances_employer_type",
            ["employer_id", "type", "submitted_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_workflow_instances_submitted", ["submitted_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("workflow_instances", schema=None) as batch_op:
        batch_op.drop_index("ix_workflow_instances_submitted")
        batch_op.drop_index("ix_workflow_instances_employer_type")
        batch_op.drop_index("ix_workflow_instances_employer_submitted")
        batch_op.drop_index("ix_workflow_instances_employee")
        batch_op.create_index(
            batch_op.f("ix_workflow_instances_employee_id"), ["employee_id"], unique=False
        )

    op.drop_table("export_parts")
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_exports_waiting",
            sqlite_where=sa.text("status IN ('PENDING', 'RUNNING')"),
            postgresql_where=sa.text("status IN ('PENDING', 'RUNNING')"),
        )
        batch_op.drop_index("ix_exports_user")

    op.drop_table("exports")
