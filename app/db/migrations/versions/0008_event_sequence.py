"""Published events get a gap-free sequence number; events for one user; office-wide events

Revision ID: 0008
Revises: 0007
Events written before this revision count as published, in the order they were written.

Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.alter_column("employer_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            "ix_outbox_events_unpublished",
            ["id"],
            unique=False,
            sqlite_where=sa.text("seq IS NULL"),
            postgresql_where=sa.text("seq IS NULL"),
        )
        batch_op.create_unique_constraint(batch_op.f("uq_outbox_events_seq"), ["seq"])
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_events_user_id_users"), "users", ["user_id"], ["id"]
        )

    op.execute("UPDATE outbox_events SET seq = id, published_at = at WHERE seq IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_events_user_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_outbox_events_seq"), type_="unique")
        batch_op.drop_index(
            "ix_outbox_events_unpublished",
            sqlite_where=sa.text("seq IS NULL"),
            postgresql_where=sa.text("seq IS NULL"),
        )
        batch_op.alter_column("employer_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("user_id")
        batch_op.drop_column("seq")
