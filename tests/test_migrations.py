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


async def test_0010_takes_the_links_out_of_stored_invitation_emails(tmp_path):
    """Bodies written before 0010 carried the activation link; afterwards none does, and each
    knows its invitation (so a pending one gets a new link as it leaves). A fresh SQLite file:
    the rows are written at revision 0009, before the models' shape."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from app.db.migrate import upgrade
    from app.domain.mijnloket import LINK_PLACEHOLDER

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(engine, "0009")
        now = "2026-11-30 10:00:00.000000"
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO mijnloket_invitations (id, employee_id, token_hash, email, "
                    "sent_at, expires_at) VALUES (7, 41, :h, 'a@prive.example.nl', :t, :t)"
                ),
                {"h": "0" * 64, "t": now},
            )
            for key, body in (
                ("mijnloket-invitation:41", "Activeer via:\n\nhttp://x/activeren?token=abc-_1\n"),
                ("mijnloket-reminder:7", "Dat kan via:\n\nhttp://x/a?lang=nl&token=Zz9\n\nGroet"),
                ("instance:1:step:1:user:2", "Een taak: http://x/taken?id=3"),
            ):
                await conn.execute(
                    text(
                        "INSERT INTO outbox_emails (dedupe_key, to_address, subject, body, "
                        "status, attempts, created_at, next_attempt_at) VALUES "
                        "(:k, 'a@prive.example.nl', 's', :b, 'PENDING', 0, :t, :t)"
                    ),
                    {"k": key, "b": body, "t": now},
                )
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = {
                key: (body, invitation)
                for key, body, invitation in await conn.execute(
                    text("SELECT dedupe_key, body, invitation_id FROM outbox_emails")
                )
            }
    finally:
        await engine.dispose()
    assert rows["mijnloket-invitation:41"] == (f"Activeer via:\n\n{LINK_PLACEHOLDER}\n", 7)
    assert rows["mijnloket-reminder:7"] == (f"Dat kan via:\n\n{LINK_PLACEHOLDER}\n\nGroet", 7)
    assert rows["instance:1:step:1:user:2"] == ("Een taak: http://x/taken?id=3", None)


async def test_0012_renames_accounts_named_after_their_address(tmp_path):
    """Issue 13.3: a MijnLoket account registered before 0012 carried its e-mail address as
    username. Afterwards it has a made name, staff accounts keep theirs, and the person gets an
    e-mail with the new name at the MijnLoket address. Rows written at 0011, in raw SQL."""
    import re

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from app.db.migrate import upgrade
    from app.domain.mijnloket import USERNAME_ALPHABET, USERNAME_LENGTH, USERNAME_PREFIX

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(engine, "0011")
        now = "2026-11-30 10:00:00.000000"
        async with engine.begin() as conn:
            for pk, username, kind in (
                (1, "a@prive.example.nl", "EMPLOYEE"),
                (2, "werkgever.hr", "EMPLOYER"),
                (3, "wn001", "EMPLOYEE"),
            ):
                await conn.execute(
                    text(
                        "INSERT INTO users (id, username, display_name, user_type, person_id, "
                        "employer_id, active, created_at) VALUES (:id, :u, 'Ans Adres', :k, 5, "
                        "4, 1, :t)"
                    ),
                    {"id": pk, "u": username, "k": kind, "t": now},
                )
            await conn.execute(
                text(
                    "INSERT INTO employees (id, employer_id, person_id, department_id, "
                    "employee_number, name, country, werknemerloket_state, is_on_call, "
                    "employment_start, mijnloket_email, mijnloket_account_id) VALUES "
                    "(9, 4, 5, 6, 41, 'Ans Adres', 'NL', 'BLOCKED', 0, '2020-01-01', "
                    "'a@prive.example.nl', 1)"
                )
            )
        await upgrade(engine)
        async with engine.connect() as conn:
            names = dict((await conn.execute(text("SELECT id, username FROM users"))).all())
            mails = (
                await conn.execute(
                    text(
                        "SELECT dedupe_key, employer_id, recipient_user_id, to_address, body, "
                        "status FROM outbox_emails"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    made = re.escape(USERNAME_PREFIX) + f"[{USERNAME_ALPHABET}]{{{USERNAME_LENGTH}}}"
    assert re.fullmatch(made, names[1]) and (names[2], names[3]) == ("werkgever.hr", "wn001")
    [mail] = mails
    assert mail[:4] == ("mijnloket-username:1", 4, 1, "a@prive.example.nl")
    assert names[1] in mail.body and mail.status == "PENDING"
