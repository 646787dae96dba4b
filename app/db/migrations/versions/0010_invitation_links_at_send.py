"""Invitation links minted as the e-mail leaves; the collective action log append-only

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

- `outbox_emails.invitation_id`: an invitation or reminder holds a placeholder for its link, which
  the relay mints as it sends, so the outbox (readable through `outboxEmails`) holds no token.
  Bodies written before this revision carried the link: it is replaced by the placeholder, and a
  pending one gets its link minted when it leaves (the invitation id is found from the e-mail's
  dedupe key: `mijnloket-invitation:<employee id>` or `mijnloket-reminder:<invitation id>`).
- `mijnloket_invitations.token_hash` is empty until the first e-mail left;
  `previous_token_hash` keeps the link before the newest one working (invitation and reminder).
- `collective_action_log` refuses changes, as `audit_entries` does (0005).
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in app/domain/mijnloket.py at this revision (a migration does not import the app).
LINK_PLACEHOLDER = "[persoonlijke activeringslink, alleen in de verzonden e-mail]"
LINK = re.compile(r"\S*[?&]token=[A-Za-z0-9_\-]+\S*")


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_outbox_emails_invitation_id_mijnloket_invitations",
            "mijnloket_invitations",
            ["invitation_id"],
            ["id"],
        )
    with op.batch_alter_table("mijnloket_invitations", schema=None) as batch_op:
        batch_op.alter_column("token_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(sa.Column("previous_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_mijnloket_invitations_previous_token_hash"),
            ["previous_token_hash"],
            unique=False,
        )
    _strip_links()
    _immutable_log()


def _strip_links() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT e.id, e.dedupe_key, e.body, i.id AS invitation_id FROM outbox_emails e "
            "LEFT JOIN mijnloket_invitations i ON "
            "(e.dedupe_key = 'mijnloket-invitation:' || CAST(i.employee_id AS VARCHAR)) OR "
            "(e.dedupe_key = 'mijnloket-reminder:' || CAST(i.id AS VARCHAR)) "
            "WHERE e.dedupe_key LIKE 'mijnloket-invitation:%' "
            "OR e.dedupe_key LIKE 'mijnloket-reminder:%'"
        )
    ).all()
    for row in rows:
        bind.execute(
            sa.text("UPDATE outbox_emails SET body = :body, invitation_id = :inv WHERE id = :id"),
            {"body": LINK.sub(LINK_PLACEHOLDER, row.body), "inv": row.invitation_id, "id": row.id},
        )


def _immutable_log() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # DELETE stays possible, as for audit_entries: a test database must be emptied.
        op.execute(
            "CREATE TRIGGER collective_action_log_immutable BEFORE UPDATE ON "
            "collective_action_log BEGIN SELECT RAISE(ABORT, 'the action log is immutable'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION collective_action_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'the action log is immutable'; END $$"
    )
    op.execute(
        "CREATE TRIGGER collective_action_log_immutable BEFORE UPDATE OR DELETE ON "
        "collective_action_log FOR EACH ROW EXECUTE FUNCTION collective_action_log_immutable()"
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(
        "DROP TRIGGER IF EXISTS collective_action_log_immutable"
        + ("" if sqlite else " ON collective_action_log")
    )
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS collective_action_log_immutable()")
    # Invitations whose e-mail never left have no hash; they cannot be kept under the old rule.
    op.execute("DELETE FROM mijnloket_invitations WHERE token_hash IS NULL")
    with op.batch_alter_table("mijnloket_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mijnloket_invitations_previous_token_hash"))
        batch_op.drop_column("previous_token_hash")
        batch_op.alter_column("token_hash", existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_outbox_emails_invitation_id_mijnloket_invitations", type_="foreignkey"
        )
        batch_op.drop_column("invitation_id")
