"""The MijnLoket use cases without HTTP: starting the collective move, looking at and using an
invitation link; what they return, what they refuse, what the database holds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.db import models as m
from app.db.invitation_links import in_one_try, look_up
from app.domain import mijnloket as rules
from app.domain.errors import DomainError, ErrorCode
from app.domain.limits import link_token
from app.resolvers.activate_mijnloket import ActivateMijnLoket, activate_mijn_loket
from app.resolvers.mijnloket_migration import (
    StartMijnLoketMigration,
    start_mijn_loket_migration,
)
from app.schema.ids import to_global_id

TOKEN = "a-token-only-the-e-mail-holds"
PASSWORD = "een lang en sterk wachtwoord"


async def employee(db, number: int) -> m.Employee:
    async with db.reader() as session:
        return await session.scalar(select(m.Employee).where(m.Employee.employee_number == number))


async def employer(db) -> str:
    async with db.reader() as session:
        return to_global_id("Employer", await session.scalar(select(m.Employer.id)))


async def invited(db, number: int) -> m.Employee:
    """Employee `number` (on Werknemerloket) with an invitation link whose token is TOKEN."""
    person = await employee(db, number)
    async with db.writer() as session:
        session.add(
            m.Invitation(
                employee_id=person.id,
                token_hash=rules.token_hash(TOKEN),
                email="nieuw@example.nl",
                expires_at=m.utcnow() + dt.timedelta(days=7),
            )
        )
    return person


def activate(db, password: str | None = PASSWORD):
    """As the link's mutation does: no one signed in, one try."""
    command = ActivateMijnLoket(token=TOKEN, password=password)
    return in_one_try(db, lambda session: activate_mijn_loket(session, None, command))


async def test_the_move_starts_for_the_chosen_people(use_case, db):
    people = [to_global_id("Employee", (await employee(db, n)).id) for n in (41, 42, 41)]
    command = StartMijnLoketMigration(await employer(db), tuple(people))
    action_id = await use_case("kantoor.admin", start_mijn_loket_migration, command)
    async with db.reader() as session:
        action = await session.get(m.CollectiveAction, action_id)
        items = list(
            await session.scalars(
                select(m.CollectiveActionItem.employee_id).where(
                    m.CollectiveActionItem.action_id == action_id
                )
            )
        )
    assert action.started_by_id is not None and action.status == "PENDING"
    assert sorted(items) == sorted({(await employee(db, n)).id for n in (41, 42)})


async def test_nobody_or_a_stranger_is_refused(use_case, db):
    with pytest.raises(DomainError) as refused:
        await use_case(
            "kantoor.admin",
            start_mijn_loket_migration,
            StartMijnLoketMigration(await employer(db), ()),
        )
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_VALUE, ["employeeIds"])
    stranger = StartMijnLoketMigration(
        await employer(db),
        (to_global_id("Employee", (await employee(db, 41)).id), to_global_id("Employee", 99999)),
    )
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", start_mijn_loket_migration, stranger)
    assert (refused.value.code, refused.value.field) == (
        ErrorCode.NOT_FOUND, ["employeeIds", "1"]
    )  # fmt: skip
    async with db.reader() as session:
        assert list(await session.scalars(select(m.CollectiveAction))) == []


async def test_a_link_registers_a_new_account_once(db):
    person = await invited(db, 41)
    view = await look_up(db, TOKEN)
    assert (view.refused, view.email, view.existing_account) == (None, "nieuw@example.nl", False)

    done = await activate(db)
    assert done.account_created and done.username
    async with db.reader() as session:
        linked = await session.get(m.Employee, person.id)
        account = await session.get(m.User, linked.mijnloket_account_id)
    assert account.username == done.username

    with pytest.raises(DomainError) as refused:
        await activate(db)
    assert refused.value.code is ErrorCode.TOKEN_USED
    assert (await look_up(db, TOKEN)).refused is ErrorCode.TOKEN_USED


async def test_a_weak_password_is_refused_and_nothing_is_written(db):
    await invited(db, 41)
    with pytest.raises(DomainError) as refused:
        await activate(db, "aaaaaaaaaaaaaaaa")
    assert (refused.value.code, refused.value.field) == (ErrorCode.WEAK_PASSWORD, ["password"])
    assert (await employee(db, 41)).mijnloket_account_id is None
    assert (await look_up(db, TOKEN)).refused is None  # the link still works


async def test_a_token_that_cannot_be_ours_is_refused_before_any_read(db):
    assert (await look_up(db, "unknown")).refused is ErrorCode.INVALID_TOKEN
    for token in ("", None, "x" * 201):
        with pytest.raises(DomainError) as refused:
            link_token(token)
        assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_TOKEN, ["token"])
