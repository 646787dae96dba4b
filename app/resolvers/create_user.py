"""Create a staff user: a provider user of the office, an employer user or a department manager."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry

from app.db import administration, users
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import changes, validation
from app.domain import users as rules
from app.domain.authz import Principal, UserType
from app.schema.ids import input_pk
from app.schema.inputs.users import CreateUserInput
from app.schema.payloads.rights import UserPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class CreateUser:
    user_type: UserType
    display_name: str
    email: str
    username: str
    employer_id: str | None = None
    department_ids: tuple[str, ...] | None = field(default=None)


async def create_user(session: Session, principal: Principal, command: CreateUser) -> m.User:
    rules.check_creatable(command.user_type, command.employer_id is not None)
    username = rules.username(command.username)
    display_name = validation.name(command.display_name, "displayName", max_length=200)
    email = changes.email(command.email, "email")
    rules.check_departments(command.user_type, command.department_ids)
    provider_id = principal.provider_id
    employer: m.Employer | None = None
    if command.employer_id is not None:
        pk = input_pk(command.employer_id, "Employer", "employerId")
        employer = await visible(session, principal, m.Employer, pk, "employerId")
        provider_id = employer.provider_id
    assert provider_id is not None  # staff: the permission made sure
    department_ids: list[int] = []
    if employer is not None and command.user_type is UserType.DEPARTMENT_MANAGER:
        pks = [
            input_pk(value, "Department", "departmentIds") for value in command.department_ids or ()
        ]
        if not pks:
            rules.check_departments(command.user_type, [])
        department_ids = await users.departments_at(session, principal, employer.id, pks)
    if await users.username_exists(session, username):
        raise rules.username_taken(username)
    user = m.User(
        username=username,
        display_name=display_name,
        user_type=command.user_type,
        provider_id=provider_id if employer is None else None,
        employer_id=None if employer is None else employer.id,
        email=email,
        active=True,
    )
    session.add(user)
    await session.flush()
    await users.set_departments(session, user.id, set(department_ids))
    administration.log(
        session,
        principal.user_id,
        "createUser",
        user,
        provider_id=provider_id,
        employer_id=None if employer is None else employer.id,
        userType=command.user_type.value,
        departmentIds=sorted(department_ids),
    )
    return user


async def resolve_create_user(info: strawberry.Info, input: CreateUserInput) -> UserPayload:
    """Create a staff user with a username you choose. It has no rights yet: grant them with
    `grantRight` (and link roles with `linkRole`). There is no password: staff sign in with a
    token for their username (`loketflow token <username>`, see "Signing in"). MijnLoket
    accounts (EMPLOYEE) are not made here but by the MijnLoket invitation (NOT_ALLOWED)."""
    command = CreateUser(
        user_type=UserType(input.user_type.value),
        display_name=input.display_name,
        email=input.email,
        username=input.username,
        employer_id=input.employer_id,
        department_ids=None if input.department_ids is None else tuple(input.department_ids),
    )
    return await mutate(info, create_user, command, UserPayload, lambda user: {"user": user})
