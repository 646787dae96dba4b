"""The user use cases without HTTP: createUser, updateUser, deactivateUser, and what an employer
user given access to a further employer can reach there."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import models as m
from app.db import users
from app.db.principals import load_principal
from app.db.transaction import in_transaction
from app.domain.authz import Right, UserType
from app.domain.errors import DomainError, ErrorCode, Forbidden
from app.resolvers.create_user import CreateUser, create_user
from app.resolvers.deactivate_user import DeactivateUser, deactivate_user
from app.resolvers.update_user import UpdateUser, update_user
from app.schema.ids import decode_id, to_global_id
from tests import factories


async def department_id(db, name: str) -> str:
    async with db.reader() as s:
        pk = await s.scalar(select(m.Department.id).where(m.Department.name == name))
    return to_global_id("Department", pk)


async def log_of(db, action: str) -> list[m.AdministrationEntry]:
    async with db.reader() as s:
        return list(
            await s.scalars(
                select(m.AdministrationEntry)
                .where(m.AdministrationEntry.action == action)
                .order_by(m.AdministrationEntry.id)
            )
        )


async def user_row(db, username: str) -> m.User | None:
    async with db.reader() as s:
        return await s.scalar(select(m.User).where(m.User.username == username))


async def refused(use_case, username: str, handler, command) -> DomainError:
    with pytest.raises(DomainError) as info:
        await use_case(username, handler, command)
    return info.value


# --- createUser ----------------------------------------------------------------------------


async def test_create_a_department_manager(use_case, db, ids):
    verkoop = await department_id(db, "Verkoop")
    command = CreateUser(
        UserType.DEPARTMENT_MANAGER,
        "  Sanne   de Boer ",
        "Sanne@Example.nl",
        " Manager.Inkoop ",
        await ids.employer(),
        (verkoop, verkoop),
    )
    user = await use_case("kantoor.admin", create_user, command)
    assert (user.username, user.display_name, user.email) == (
        "manager.inkoop",
        "Sanne de Boer",
        "Sanne@example.nl",
    )
    assert user.active and user.provider_id is None and user.employer_id is not None
    async with db.reader() as s:
        departments = list(
            await s.scalars(
                select(m.UserDepartment.department_id).where(m.UserDepartment.user_id == user.id)
            )
        )
    assert departments == [decode_id(verkoop, "Department")]
    [entry] = await log_of(db, "createUser")
    assert (entry.subject_type, entry.subject_id, entry.employer_id) == (
        "User",
        user.id,
        user.employer_id,
    )
    assert entry.details == {"userType": "DEPARTMENT_MANAGER", "departmentIds": departments}
    # It signs in (with a token for its username) and reaches its employer, with no rights yet.
    async with db.reader() as s:
        principal = await load_principal(s, "manager.inkoop")
    assert principal is not None and principal.reachable_employer_ids == {user.employer_id}
    assert principal.rights_at(user.employer_id) == frozenset()


async def test_create_a_provider_user(use_case, db):
    command = CreateUser(UserType.PROVIDER, "Jan Kantoor", "jan@kantoor.nl", "kantoor.jan")
    user = await use_case("kantoor.admin", create_user, command)
    assert user.provider_id == await factories.demo_provider_id(db)
    assert user.employer_id is None
    [entry] = await log_of(db, "createUser")
    assert (entry.provider_id, entry.employer_id) == (user.provider_id, None)


@pytest.mark.parametrize(
    ("user_type", "employer", "departments", "username", "code", "field"),
    [
        (UserType.EMPLOYEE, True, None, "nieuw.iemand", ErrorCode.NOT_ALLOWED, ["userType"]),
        (UserType.PROVIDER, True, None, "nieuw.iemand", ErrorCode.INVALID_VALUE, ["employerId"]),
        (UserType.EMPLOYER, False, None, "nieuw.iemand", ErrorCode.INVALID_VALUE, ["employerId"]),
        (UserType.EMPLOYER, True, None, "ab", ErrorCode.INVALID_VALUE, ["username"]),
        (UserType.EMPLOYER, True, None, "a b c", ErrorCode.INVALID_VALUE, ["username"]),
        (UserType.EMPLOYER, True, None, ".abc", ErrorCode.INVALID_VALUE, ["username"]),
        (UserType.EMPLOYER, True, None, "x" * 151, ErrorCode.INVALID_VALUE, ["username"]),
        (UserType.EMPLOYER, True, None, "ml-abc", ErrorCode.INVALID_VALUE, ["username"]),
        (UserType.EMPLOYER, True, None, "Werkgever.HR", ErrorCode.NAME_TAKEN, ["username"]),
        (UserType.DEPARTMENT_MANAGER, True, (), "nieuw.iemand", ErrorCode.INVALID_VALUE,
         ["departmentIds"]),
        (UserType.DEPARTMENT_MANAGER, True, None, "nieuw.iemand", ErrorCode.INVALID_VALUE,
         ["departmentIds"]),
        (UserType.DEPARTMENT_MANAGER, True, ("nope",), "nieuw.iemand", ErrorCode.INVALID_ID,
         ["departmentIds"]),
        (UserType.EMPLOYER, True, ("x",), "nieuw.iemand", ErrorCode.INVALID_VALUE,
         ["departmentIds"]),
    ],
)  # fmt: skip
async def test_create_refusals(
    use_case, db, ids, user_type, employer, departments, username, code, field
):
    command = CreateUser(
        user_type,
        "Iemand",
        "iemand@example.nl",
        username,
        await ids.employer() if employer else None,
        departments,
    )
    error = await refused(use_case, "kantoor.admin", create_user, command)
    assert (error.code, error.field) == (code, field)
    assert await log_of(db, "createUser") == []


async def test_a_department_of_another_employer_is_refused(use_case, db, ids):
    other = await factories.employer(db, "Andere Klant B.V.")
    algemeen = await department_id(db, "Algemeen")
    command = CreateUser(
        UserType.DEPARTMENT_MANAGER, "Iemand", "i@example.nl", "nieuw.iemand", await ids.employer(),
        (algemeen,),
    )  # fmt: skip
    assert other
    error = await refused(use_case, "kantoor.admin", create_user, command)
    assert (error.code, error.field) == (ErrorCode.INVALID_VALUE, ["departmentIds"])
    assert await user_row(db, "nieuw.iemand") is None


# --- updateUser ----------------------------------------------------------------------------


async def test_update_name_email_and_departments(use_case, db, ids):
    manager = await ids.user("manager.verkoop")
    departments = (await department_id(db, "Verkoop"), await department_id(db, "Magazijn"))
    command = UpdateUser(manager, "Karin W.", "karin@example.nl", departments)
    user = await use_case("kantoor.admin", update_user, command)
    assert (user.display_name, user.email) == ("Karin W.", "karin@example.nl")
    async with db.reader() as s:
        principal = await load_principal(s, "manager.verkoop")
        outbox = await s.scalar(select(m.OutboxEvent).order_by(m.OutboxEvent.id.desc()).limit(1))
    assert principal.department_ids == {decode_id(d, "Department") for d in departments}
    assert outbox.kind == "ACCESS_CHANGED" and outbox.user_id == user.id
    [entry] = await log_of(db, "updateUser")
    assert entry.details["changed"] == ["displayName", "email", "departmentIds"]
    # The same again changes nothing and logs nothing.
    await use_case("kantoor.admin", update_user, command)
    assert len(await log_of(db, "updateUser")) == 1


async def test_update_refusals(use_case, db, ids):
    manager = await ids.user("manager.verkoop")
    error = await refused(
        use_case, "kantoor.admin", update_user, UpdateUser(manager, department_ids=())
    )
    assert (error.code, error.field) == (ErrorCode.INVALID_VALUE, ["departmentIds"])
    error = await refused(use_case, "kantoor.admin", update_user, UpdateUser(manager, email="x"))
    assert (error.code, error.field) == (ErrorCode.INVALID_VALUE, ["email"])
    employer = await ids.employer()
    error = await refused(
        use_case, "kantoor.admin", update_user, UpdateUser(manager, employer_ids=(employer,))
    )
    assert (error.code, error.field) == (ErrorCode.INVALID_VALUE, ["employerIds"])
    error = await refused(
        use_case, "kantoor.admin", update_user, UpdateUser(await ids.user("wn001"), "X")
    )
    assert (error.code, error.field) == (ErrorCode.NOT_ALLOWED, ["userId"])
    assert await log_of(db, "updateUser") == []


async def test_an_employer_user_at_two_employers(use_case, db, ids):
    """Access to a further employer makes it reachable; a right granted at A gives nothing at
    B, nor does a role linked at A (DOMAIN.md sections 1 and 9)."""
    a_pk = decode_id(await ids.employer(), "Employer")
    b = await factories.employer(db, "Tweede Klant B.V.")
    b_pk = decode_id(b, "Employer")
    hr = await ids.user("werkgever.hr")
    user = await use_case("kantoor.admin", update_user, UpdateUser(hr, employer_ids=(b, b)))
    async with db.reader() as s:
        principal = await load_principal(s, "werkgever.hr")
    assert principal.reachable_employer_ids == {a_pk, b_pk}
    assert Right.PROCESS_MANAGEMENT in principal.rights_at(a_pk)
    assert principal.rights_at(b_pk) == frozenset()
    assert all(employer == a_pk for _, employer in principal.role_links)
    [entry] = await log_of(db, "updateUser")
    assert entry.details == {"changed": ["employerIds"], "employersAdded": [b_pk],
                             "employersRemoved": []}  # fmt: skip
    # Removed again: B is out of reach from the next request on.
    await use_case("kantoor.admin", update_user, UpdateUser(hr, employer_ids=()))
    async with db.reader() as s:
        principal = await load_principal(s, "werkgever.hr")
    assert principal.reachable_employer_ids == {a_pk}
    assert user.id == principal.user_id


async def test_works_at_a_further_employer(use_case, db, ids):
    """`users.works_at`, for grantRight and linkRole at a further employer (to be wired)."""
    b = await factories.employer(db, "Tweede Klant B.V.")
    hr = await ids.user("werkgever.hr")
    async with db.reader() as s:
        employer_b = await s.get(m.Employer, decode_id(b, "Employer"))
        user = await s.get(m.User, decode_id(hr, "User"))
        assert not await users.works_at(s, user, employer_b)
    await use_case("kantoor.admin", update_user, UpdateUser(hr, employer_ids=(b,)))
    async with db.reader() as s:
        assert await users.works_at(s, user, employer_b)
        user.active = False
        assert not await users.works_at(s, user, employer_b)


async def test_further_employers_need_manage_users_there(use_case, db, ids):
    """An administrator at A only cannot give access to B; an employer of another office is
    out of reach (NOT_FOUND)."""
    a_pk = decode_id(await ids.employer(), "Employer")
    await factories.user(
        db, "werkgever.beheer", UserType.EMPLOYER, employer_id=a_pk,
        rights=(Right.MANAGE_USERS,), rights_at=a_pk,
    )  # fmt: skip
    b = await factories.employer(db, "Tweede Klant B.V.")
    hr = await ids.user("werkgever.hr")
    error = await refused(
        use_case, "werkgever.beheer", update_user, UpdateUser(hr, employer_ids=(b,))
    )
    assert (error.code, error.field) == (ErrorCode.NOT_FOUND, ["employerIds"])  # out of reach
    # Given access to B, it sees B, but without MANAGE_USERS there it gives nobody access.
    beheer = await ids.user("werkgever.beheer")
    await use_case("kantoor.admin", update_user, UpdateUser(beheer, employer_ids=(b,)))
    with pytest.raises(Forbidden):
        await use_case("werkgever.beheer", update_user, UpdateUser(hr, employer_ids=(b,)))
    async with db.reader() as s:
        assert await load_principal(s, "werkgever.hr") is not None
        assert not await s.scalar(select(m.UserEmployer.employer_id).where(
            m.UserEmployer.user_id == decode_id(hr, "User")))  # fmt: skip
    elsewhere = await factories.employer(
        db, "Klant Elders", provider_id=await factories.provider(db)
    )
    error = await refused(
        use_case, "kantoor.admin", update_user, UpdateUser(hr, employer_ids=(elsewhere,))
    )
    assert (error.code, error.field) == (ErrorCode.NOT_FOUND, ["employerIds"])


# --- deactivateUser ------------------------------------------------------------------------


async def test_deactivate(use_case, db, ids):
    hr = await ids.user("werkgever.hr")
    user = await use_case("kantoor.admin", deactivate_user, DeactivateUser(hr))
    row = await user_row(db, "werkgever.hr")
    admin = await user_row(db, "kantoor.admin")
    assert not user.active and not row.active
    assert row.deactivated_at is not None and row.deactivated_by_id == admin.id
    async with db.reader() as s:
        assert await load_principal(s, "werkgever.hr") is None
        event = await s.scalar(select(m.OutboxEvent).order_by(m.OutboxEvent.id.desc()).limit(1))
    assert (event.kind, event.user_id) == ("ACCESS_CHANGED", row.id)
    [entry] = await log_of(db, "deactivateUser")
    assert (entry.actor_id, entry.subject_id, entry.employer_id) == (
        admin.id,
        row.id,
        row.employer_id,
    )
    # Again: a no-op that keeps who and when.
    await use_case("kantoor.admin", deactivate_user, DeactivateUser(hr))
    assert (await user_row(db, "werkgever.hr")).deactivated_at == row.deactivated_at
    assert len(await log_of(db, "deactivateUser")) == 1


async def test_not_yourself(use_case, db, ids):
    admin = await ids.user("kantoor.admin")
    error = await refused(use_case, "kantoor.admin", deactivate_user, DeactivateUser(admin))
    assert (error.code, error.field) == (ErrorCode.NOT_ALLOWED, ["userId"])
    assert (await user_row(db, "kantoor.admin")).active


async def test_the_last_active_administrator_is_kept(db, ids):
    """Two office administrators deactivating each other at the same time: the second one,
    signed in before the first was deactivated, would leave the office without any."""
    provider_id = await factories.demo_provider_id(db)
    await factories.user(
        db, "kantoor.tweede", UserType.PROVIDER, provider_id=provider_id,
        rights=(Right.MANAGE_USERS,),
    )  # fmt: skip
    async with db.reader() as s:
        admin = await load_principal(s, "kantoor.admin")
        tweede = await load_principal(s, "kantoor.tweede")
    to_admin = DeactivateUser(await ids.user("kantoor.admin"))
    to_tweede = DeactivateUser(await ids.user("kantoor.tweede"))
    await in_transaction(db, lambda s: deactivate_user(s, admin, to_tweede))
    with pytest.raises(DomainError) as info:
        await in_transaction(db, lambda s: deactivate_user(s, tweede, to_admin))
    assert (info.value.code, info.value.field) == (ErrorCode.LAST_ADMINISTRATOR, ["userId"])
    assert (await user_row(db, "kantoor.admin")).active
    assert await log_of(db, "deactivateUser") != [] and len(await log_of(db, "deactivateUser")) == 1
