"""The office set-up use cases without HTTP: employers, departments, department managers and the
MijnLoket addendum; what they return, refuse, write and log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.db import models as m
from app.domain.authz import UserType
from app.domain.catalogue import Product
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.create_department import CreateDepartment, create_department
from app.resolvers.create_employer import CreateEmployer, create_employer
from app.resolvers.rename_department import RenameDepartment, rename_department
from app.resolvers.set_department_managers import (
    SetDepartmentManagers,
    set_department_managers,
)
from app.resolvers.set_mijn_loket_addendum import SetMijnLoketAddendum, set_mijn_loket_addendum
from app.resolvers.update_employer import UpdateEmployer, update_employer
from app.schema.ids import to_global_id
from tests import factories

DEMO = "De Ideale Klant B.V."


async def log_of(db, action: str) -> list[m.AdministrationEntry]:
    async with db.reader() as s:
        return list(
            await s.scalars(
                select(m.AdministrationEntry)
                .where(m.AdministrationEntry.action == action)
                .order_by(m.AdministrationEntry.id)
            )
        )


async def pk_of(db, model, **key) -> int:
    async with db.reader() as s:
        pk = await s.scalar(select(model.id).filter_by(**key))
    assert pk is not None, key
    return pk


async def refused(use_case, user: str, handler, command) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await use_case(user, handler, command)
    return caught.value


# --- Employers --------------------------------------------------------------------------------


async def test_create_and_rename_an_employer(use_case, db):
    admin = await pk_of(db, m.User, username="kantoor.admin")
    employer = await use_case("kantoor.admin", create_employer, CreateEmployer("  Nieuw   B.V. "))
    assert employer.name == "Nieuw B.V."
    [entry] = await log_of(db, "createEmployer")
    assert (entry.actor_id, entry.subject_type, entry.subject_id, entry.employer_id) == (
        admin, "Employer", employer.id, employer.id,
    )  # fmt: skip
    assert entry.details == {"fields": ["name"]}

    gid = to_global_id("Employer", employer.id)
    renamed = await use_case("kantoor.admin", update_employer, UpdateEmployer(gid, "Anders B.V."))
    assert (renamed.id, renamed.name) == (employer.id, "Anders B.V.")
    # The same name again changes nothing and logs nothing.
    await use_case("kantoor.admin", update_employer, UpdateEmployer(gid, "Anders B.V."))
    assert len(await log_of(db, "updateEmployer")) == 1
    async with db.reader() as s:
        assert await s.scalar(select(m.Employer.name).where(m.Employer.id == employer.id)) == (
            "Anders B.V."
        )


async def test_a_new_employer_wakes_the_office_users(use_case, db):
    employer = await use_case("kantoor.admin", create_employer, CreateEmployer("Wakker B.V."))
    async with db.reader() as s:
        events = list(
            await s.scalars(
                select(m.OutboxEvent.user_id).where(
                    m.OutboxEvent.kind == "ACCESS_CHANGED",
                    m.OutboxEvent.employer_id == employer.id,
                )
            )
        )
    office_users = [
        await pk_of(db, m.User, username=u) for u in ("kantoor.admin", "kantoor.salaris")
    ]
    assert sorted(events) == sorted(office_users)


async def test_employer_names_are_unique_in_the_office_case_aside(use_case, db):
    error = await refused(use_case, "kantoor.admin", create_employer, CreateEmployer(DEMO.upper()))
    assert (error.code, error.field) == (ErrorCode.NAME_TAKEN, ["name"])
    other = await use_case("kantoor.admin", create_employer, CreateEmployer("Tweede B.V."))
    error = await refused(
        use_case,
        "kantoor.admin",
        update_employer,
        UpdateEmployer(to_global_id("Employer", other.id), DEMO),
    )
    assert error.code is ErrorCode.NAME_TAKEN
    async with db.reader() as s:
        assert await s.scalar(select(func.count()).select_from(m.Employer)) == 2


async def test_another_office_may_use_the_same_name(use_case, db):
    office = await factories.provider(db, "Kantoor Y")
    await factories.user(db, "kantoor.y", UserType.PROVIDER, provider_id=office, rights=(
        m.Right.MANAGE_EMPLOYERS,
    ))  # fmt: skip
    employer = await use_case("kantoor.y", create_employer, CreateEmployer(DEMO))
    assert employer.provider_id == office


async def test_bad_names_and_ids(use_case, db):
    error = await refused(use_case, "kantoor.admin", create_employer, CreateEmployer(" \t "))
    assert (error.code, error.field) == (ErrorCode.INVALID_VALUE, ["name"])
    error = await refused(use_case, "kantoor.admin", create_employer, CreateEmployer("x" * 201))
    assert error.code is ErrorCode.INVALID_VALUE
    error = await refused(use_case, "kantoor.admin", update_employer, UpdateEmployer("nee", "X"))
    assert (error.code, error.field) == (ErrorCode.INVALID_ID, ["employerId"])


async def test_an_employer_of_another_office_is_not_found(use_case, db):
    office = await factories.provider(db, "Kantoor Y")
    await factories.user(
        db, "kantoor.y", UserType.PROVIDER, provider_id=office, rights=(m.Right.MANAGE_EMPLOYERS,)
    )
    demo = to_global_id("Employer", await pk_of(db, m.Employer, name=DEMO))
    error = await refused(use_case, "kantoor.y", update_employer, UpdateEmployer(demo, "Van mij"))
    assert (error.code, error.field) == (ErrorCode.NOT_FOUND, ["employerId"])
    error = await refused(
        use_case, "kantoor.y", create_department, CreateDepartment(demo, "Van mij")
    )
    assert error.code is ErrorCode.NOT_FOUND


# --- Departments ------------------------------------------------------------------------------


async def test_create_and_rename_a_department(use_case, db):
    demo_id = await pk_of(db, m.Employer, name=DEMO)
    demo = to_global_id("Employer", demo_id)
    department = await use_case(
        "kantoor.admin", create_department, CreateDepartment(demo, " Inkoop ")
    )
    assert (department.name, department.employer_id) == ("Inkoop", demo_id)
    gid = to_global_id("Department", department.id)
    renamed = await use_case("kantoor.admin", rename_department, RenameDepartment(gid, "Inkoop NL"))
    assert renamed.name == "Inkoop NL"
    [created] = await log_of(db, "createDepartment")
    [renaming] = await log_of(db, "renameDepartment")
    assert (created.subject_id, created.employer_id) == (department.id, demo_id)
    assert renaming.details == {"fields": ["name"]}


async def test_department_names_are_unique_per_employer(use_case, db):
    demo = to_global_id("Employer", await pk_of(db, m.Employer, name=DEMO))
    error = await refused(
        use_case, "kantoor.admin", create_department, CreateDepartment(demo, "verkoop")
    )
    assert (error.code, error.field) == (ErrorCode.NAME_TAKEN, ["name"])
    magazijn = to_global_id("Department", await pk_of(db, m.Department, name="Magazijn"))
    error = await refused(
        use_case, "kantoor.admin", rename_department, RenameDepartment(magazijn, "VERKOOP")
    )
    assert error.code is ErrorCode.NAME_TAKEN
    # Another employer may have a "Verkoop" too.
    other = await use_case("kantoor.admin", create_employer, CreateEmployer("Ander B.V."))
    department = await use_case(
        "kantoor.admin",
        create_department,
        CreateDepartment(to_global_id("Employer", other.id), "Verkoop"),
    )
    assert department.employer_id == other.id


# --- Department managers ----------------------------------------------------------------------


async def managers(db, department_id: int) -> set[str]:
    async with db.reader() as s:
        return set(
            await s.scalars(
                select(m.User.username)
                .join(m.UserDepartment, m.UserDepartment.user_id == m.User.id)
                .where(m.UserDepartment.department_id == department_id)
            )
        )


async def new_manager(db, username: str) -> str:
    employer_id = await pk_of(db, m.Employer, name=DEMO)
    gid = await factories.user(db, username, UserType.DEPARTMENT_MANAGER, employer_id=employer_id)
    async with db.writer() as s:
        user_id = await s.scalar(select(m.User.id).where(m.User.username == username))
        verkoop = await s.scalar(select(m.Department.id).where(m.Department.name == "Verkoop"))
        s.add(m.UserDepartment(user_id=user_id, department_id=verkoop))
    return gid


async def test_set_exactly_the_managers(use_case, db):
    magazijn_id = await pk_of(db, m.Department, name="Magazijn")
    magazijn = to_global_id("Department", magazijn_id)
    karin = to_global_id("User", await pk_of(db, m.User, username="manager.verkoop"))
    second = await new_manager(db, "manager.twee")

    department = await use_case(
        "kantoor.admin",
        set_department_managers,
        SetDepartmentManagers(magazijn, (karin, second, karin)),
    )
    assert department.id == magazijn_id
    assert await managers(db, magazijn_id) == {"manager.verkoop", "manager.twee"}
    [entry] = await log_of(db, "setDepartmentManagers")
    ids = sorted([await pk_of(db, m.User, username=u) for u in ("manager.verkoop", "manager.twee")])
    assert entry.details == {"added": ids, "removed": []}
    async with db.reader() as s:
        changed = set(
            await s.scalars(
                select(m.OutboxEvent.user_id).where(m.OutboxEvent.kind == "ACCESS_CHANGED")
            )
        )
        assignment = await s.scalar(
            select(func.count())
            .select_from(m.OutboxEvent)
            .where(m.OutboxEvent.kind == "ASSIGNMENT_CHANGED")
        )
    assert changed == set(ids) and assignment == 1

    # Both still manage Verkoop: taking them off Magazijn again is allowed.
    await use_case("kantoor.admin", set_department_managers, SetDepartmentManagers(magazijn, ()))
    assert await managers(db, magazijn_id) == set()
    assert await managers(db, await pk_of(db, m.Department, name="Verkoop")) >= {
        "manager.verkoop", "manager.twee",
    }  # fmt: skip
    # The same list again changes nothing and logs nothing.
    await use_case("kantoor.admin", set_department_managers, SetDepartmentManagers(magazijn, ()))
    assert len(await log_of(db, "setDepartmentManagers")) == 2


async def test_an_active_manager_keeps_a_department(use_case, db):
    verkoop_id = await pk_of(db, m.Department, name="Verkoop")
    verkoop = to_global_id("Department", verkoop_id)
    error = await refused(
        use_case, "kantoor.admin", set_department_managers, SetDepartmentManagers(verkoop, ())
    )
    assert (error.code, error.field) == (ErrorCode.LAST_DEPARTMENT, ["userIds"])
    assert "manager.verkoop" in await managers(db, verkoop_id)

    # Deactivated, it may be taken off its last department.
    async with db.writer() as s:
        user = await s.scalar(select(m.User).where(m.User.username == "manager.verkoop"))
        user.active = False
    await use_case("kantoor.admin", set_department_managers, SetDepartmentManagers(verkoop, ()))
    assert await managers(db, verkoop_id) == set()


async def test_only_department_managers_of_the_employer(use_case, db):
    verkoop = to_global_id("Department", await pk_of(db, m.Department, name="Verkoop"))
    karin = to_global_id("User", await pk_of(db, m.User, username="manager.verkoop"))
    hr = to_global_id("User", await pk_of(db, m.User, username="werkgever.hr"))
    error = await refused(
        use_case,
        "kantoor.admin",
        set_department_managers,
        SetDepartmentManagers(verkoop, (karin, hr)),
    )
    assert (error.code, error.field) == (ErrorCode.NOT_A_DEPARTMENT_MANAGER, ["userIds", "1"])

    other = await factories.employer(db, "Ander B.V.")
    other_id = int(other and await pk_of(db, m.Employer, name="Ander B.V."))
    elsewhere = await factories.user(
        db, "manager.elders", UserType.DEPARTMENT_MANAGER, employer_id=other_id
    )
    error = await refused(
        use_case,
        "kantoor.admin",
        set_department_managers,
        SetDepartmentManagers(verkoop, (elsewhere,)),
    )
    assert (error.code, error.field) == (ErrorCode.USER_NOT_AT_EMPLOYER, ["userIds", "0"])

    error = await refused(
        use_case, "kantoor.admin", set_department_managers, SetDepartmentManagers(verkoop, ("x",))
    )
    assert (error.code, error.field) == (ErrorCode.INVALID_ID, ["userIds"])
    error = await refused(
        use_case,
        "kantoor.admin",
        set_department_managers,
        SetDepartmentManagers(verkoop, tuple(to_global_id("User", n) for n in range(1, 60))),
    )
    assert error.code is ErrorCode.INVALID_VALUE
    assert await log_of(db, "setDepartmentManagers") == []


# --- The MijnLoket addendum -------------------------------------------------------------------


async def addendum(db) -> tuple:
    async with db.reader() as s:
        office = await s.scalar(select(m.Provider).where(m.Provider.name == "Accountantskantoor X"))
        return (
            office.mijnloket_addendum_signed,
            office.mijnloket_addendum_signatory,
            office.mijnloket_addendum_signed_on,
        )


async def test_sign_the_addendum(use_case, db):
    signed_on = dt.date(2026, 11, 2)
    office = await use_case(
        "kantoor.admin",
        set_mijn_loket_addendum,
        SetMijnLoketAddendum(True, "  A. de Vries ", signed_on),
    )
    assert office.mijnloket_addendum_signatory == "A. de Vries"
    assert await addendum(db) == (True, "A. de Vries", signed_on)
    [entry] = await log_of(db, "setMijnLoketAddendum")
    # The signatory's name is named, never copied into the log.
    assert entry.details == {"signed": True, "fields": ["signatory", "signedOn"]}
    assert "Vries" not in str(entry.details)


async def test_signing_needs_who_and_a_past_day(use_case, db):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    for command, field in (
        (SetMijnLoketAddendum(True, None, dt.date(2026, 1, 1)), ["signatory"]),
        (SetMijnLoketAddendum(True, " ", dt.date(2026, 1, 1)), ["signatory"]),
        (SetMijnLoketAddendum(True, "Jan", None), ["signedOn"]),
        (SetMijnLoketAddendum(True, "Jan", tomorrow), ["signedOn"]),
        (SetMijnLoketAddendum(True, "Jan", dt.date(1, 1, 1)), ["signedOn"]),
    ):
        error = await refused(use_case, "kantoor.admin", set_mijn_loket_addendum, command)
        assert (error.code, error.field) == (ErrorCode.INVALID_VALUE, field)
    assert await log_of(db, "setMijnLoketAddendum") == []


async def test_withdrawing_is_refused_while_mijnloket_is_active(use_case, db):
    # The demo employer has MijnLoket active.
    error = await refused(
        use_case, "kantoor.admin", set_mijn_loket_addendum, SetMijnLoketAddendum(False)
    )
    assert (error.code, error.field) == (ErrorCode.PRODUCT_IN_USE, ["signed"])
    assert await addendum(db) == (True, None, None)

    async with db.writer() as s:
        activation = await s.scalar(
            select(m.ProductActivation).where(m.ProductActivation.product == Product.MIJNLOKET)
        )
        activation.active = False
    await use_case(
        "kantoor.admin", set_mijn_loket_addendum, SetMijnLoketAddendum(False, "genegeerd")
    )
    assert await addendum(db) == (False, None, None)
    [entry] = await log_of(db, "setMijnLoketAddendum")
    assert entry.details == {"signed": False, "fields": ["signed"]}


# --- The bootstrap (`loketflow office create`), on either database ----------------------------


async def test_create_office_is_idempotent_and_refuses_what_is_not_its_own(db):
    from app.db.offices import create_office
    from app.db.transaction import in_transaction
    from app.domain.offices import SetupRefused

    async def run(name: str, admin: str):
        return await in_transaction(db, lambda s: create_office(s, name, admin, None))

    first = await run("Kantoor Nieuw", "beheer.nieuw")
    assert (first.created_office, first.created_user, len(first.granted)) == (
        True, True, len(m.Right),
    )  # fmt: skip
    again = await run("kantoor nieuw", "Beheer.Nieuw")
    assert not again.changed and again.office_id == first.office_id
    for name, admin, says in (
        ("Accountantskantoor X", "nieuw.beheer", "already exists with user(s) kantoor.admin"),
        ("Kantoor Drie", "werkgever.hr", "'werkgever.hr' is already taken (a user of an employer)"),
        ("Kantoor Drie", "beheer.nieuw", "a provider user of another office"),
    ):
        with pytest.raises(SetupRefused, match=says.replace("(", r"\(").replace(")", r"\)")):
            await run(name, admin)
    async with db.reader() as s:
        assert await s.scalar(select(func.count()).select_from(m.Provider)) == 2
        actors = set(
            await s.scalars(
                select(m.AdministrationEntry.actor_id).where(
                    m.AdministrationEntry.provider_id == first.office_id
                )
            )
        )
    assert actors == {None}
