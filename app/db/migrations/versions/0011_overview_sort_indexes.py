"""Indexes for the process overview's sorts: office-wide by status and by employee, the open
tab by employee

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

- `ix_workflow_instances_status` (status, submitted_at, id): the office-wide overview (no
  employer to start at) sorted by status, and its open tab sorted by date, walk this index and
  stop after a page.
- `ix_workflow_instances_employee_status` (employee_id, status, id): the open tab sorted by
  employee walks each employee's open requests in order, without reading their history.
- `ix_employees_name_id` (name, id): the office-wide overview sorted by employee walks the
  employees of all employers by name (the employer's own index orders per employer only).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workflow_instances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_instances_status", ["status", "submitted_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_workflow_instances_employee_status", ["employee_id", "status", "id"], unique=False
        )
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.create_index("ix_employees_name_id", ["name", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_index("ix_employees_name_id")
    with op.batch_alter_table("workflow_instances", schema=None) as batch_op:
        batch_op.drop_index("ix_workflow_instances_employee_status")
        batch_op.drop_index("ix_workflow_instances_status")
