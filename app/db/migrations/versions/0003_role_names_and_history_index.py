"""Case-insensitive unique role names; product history indexed in the order it is read

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "uq_roles_provider_lower_name",
        "roles",
        ["provider_id", sa.text("lower(name)")],
        unique=True,
    )
    with op.batch_alter_table("product_events") as batch:
        batch.drop_index("ix_product_events_employer_at")
        batch.create_index("ix_product_events_employer_id", ["employer_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("product_events") as batch:
        batch.drop_index("ix_product_events_employer_id")
        batch.create_index("ix_product_events_employer_at", ["employer_id", "at", "id"])
    op.drop_index("uq_roles_provider_lower_name", table_name="roles")
