"""MijnLoket accounts no longer named after their e-mail address

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

Until this revision an account registered on activation was named after the invitation's
address, so the address showed as `username` (submitter, audit trail, export) to users who may
not read the MijnLoket e-mail address (issue 13.3). New accounts get a username made by the
service (app/domain/mijnloket.py `new_username`); here every MijnLoket account whose username
is an e-mail address gets one too, and an e-mail to its MijnLoket address tells the person the
new name (tokens issued for the old name stop working: the person signs in again with the new
one; password and data stay). The downgrade keeps the new names: the old ones are what this
revision removes.
"""

import datetime as dt
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in app/domain/mijnloket.py at this revision (a migration does not import the app).
PREFIX, ALPHABET, LENGTH = "ml-", "abcdefghjkmnpqrstuvwxyz23456789", 10

outbox_emails = sa.table(
    "outbox_emails",
    sa.column("dedupe_key", sa.String),
    sa.column("employer_id", sa.Integer),
    sa.column("recipient_user_id", sa.Integer),
    sa.column("to_address", sa.String),
    sa.column("subject", sa.String),
    sa.column("body", sa.Text),
    sa.column("status", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
)


def _email(name: str, username: str) -> tuple[str, str]:
    return (
        "Uw MijnLoket-gebruikersnaam is gewijzigd",
        f"Beste {name},\n\nUw MijnLoket-account had uw e-mailadres als gebruikersnaam. Om uw "
        "e-mailadres te beschermen heeft u een nieuwe gebruikersnaam gekregen: "
        f"{username}\n\nLog voortaan daarmee in. Uw wachtwoord en uw gegevens blijven "
        "hetzelfde.\n",
    )


def upgrade() -> None:
    bind = op.get_bind()
    accounts = bind.execute(
        sa.text(
            "SELECT id, display_name FROM users "
            "WHERE user_type = 'EMPLOYEE' AND username LIKE '%@%' ORDER BY id"
        )
    ).all()
    if not accounts:
        return
    taken = set(bind.execute(sa.text("SELECT username FROM users")).scalars())
    now = dt.datetime.now(dt.UTC)
    for account in accounts:
        while (name := PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))) in taken:
            pass
        taken.add(name)
        bind.execute(
            sa.text("UPDATE users SET username = :name WHERE id = :id"),
            {"name": name, "id": account.id},
        )
        # Its MijnLoket address: that of the account's first employment that has one.
        employment = bind.execute(
            sa.text(
                "SELECT employer_id, name, mijnloket_email FROM employees "
                "WHERE mijnloket_account_id = :id AND mijnloket_email IS NOT NULL "
                "ORDER BY id LIMIT 1"
            ),
            {"id": account.id},
        ).first()
        if employment is None:
            continue
        subject, body = _email(employment.name, name)
        bind.execute(
            outbox_emails.insert().values(
                dedupe_key=f"mijnloket-username:{account.id}",
                employer_id=employment.employer_id,
                recipient_user_id=account.id,
                to_address=employment.mijnloket_email,
                subject=subject,
                body=body,
                status="PENDING",
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )


def downgrade() -> None:
    pass
