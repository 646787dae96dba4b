"""Change a staff user: name, e-mail, a manager's departments, an employer user's further
employers."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import administration, outbox, users
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import changes, validation
from app.domain import users as rules
from app.domain.authz import Principal, Right, UserType, require_right
from app.domain.errors import DomainError, ErrorCode
from app.schema.ids import input_pk
from app.schema.inputs.users import UpdateUserInput
from app.schema.payloads.rights import UserPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class UpdateUser:
    user_id: str
    display_name: str | None = None
    email: str | None = None
    department_ids: tuple[str, ...] | None = None
    employer_ids: tuple[str, ...] | None = None


async def _departments(
    session: Session, principal: Principal, user: m.User, given: tuple[str, ...]
) -> list[str]:
    """Replace a manager's departments; the changed ones' ids, as the log names them."""
    rules.check_departments(user.user_type, given)
    if user.user_type is not UserType.DEPARTMENT_MANAGER:
        return []  # nobody else has departments: an empty list changes nothing
    assert user.employer_id is not None
    pks = [input_pk(value, "Department", "departmentIds") for value in given]
    wanted = set(await users.departments_at(session, principal, user.employer_id, pks))
    before = await users.departments_of(session, user.id)
    if wanted == before:
        return []
    await users.set_departments(session, user.id, wanted)
    return ["departmentIds"]


async def _employers(
    session: Session, principal: Principal, user: m.User, given: tuple[str, ...]
) -> dict[str, list[int]]:
    """Replace an employer user's further employers: each one added or removed must be of the
    user's office and needs MANAGE_USERS there too."""
    rules.check_further_employers(user.user_type)
    office = await users.office_of(session, user)
    wanted: set[int] = set()
    for value in given:
        pk = input_pk(value, "Employer", "employerIds")
        employer: m.Employer = await visible(session, principal, m.Employer, pk, "employerIds")
        if employer.provider_id != office:
            raise DomainError(
                ErrorCode.INVALID_VALUE,
                "Een werkgevergebruiker krijgt alleen toegang tot werkgevers van zijn kantoor.",
                ["employerIds"],
            )
        if employer.id != user.employer_id:  # its own employer it has anyway
            wanted.add(employer.id)
    before = await users.further_employers(session, user.id)
    added, removed = wanted - before, before - wanted
    for employer_id in sorted(added | removed):
        require_right(principal, Right.MANAGE_USERS, employer_id)
    if added or removed:
        await users.set_further_employers(session, user.id, added, removed, principal.user_id)
    return {"employersAdded": sorted(added), "employersRemoved": sorted(removed)}


async def update_user(session: Session, principal: Principal, command: UpdateUser) -> m.User:
    pk = input_pk(command.user_id, "User", "userId")
    user: m.User = await visible(session, principal, m.User, pk, "userId", for_update=True)
    rules.check_administrable(user.user_type)
    changed: list[str] = []
    if command.display_name is not None:
        display_name = validation.name(command.display_name, "displayName", max_length=200)
        if display_name != user.display_name:
            user.display_name = display_name
            changed.append("displayName")
    if command.email is not None:
        email = changes.email(command.email, "email")
        if email != user.email:
            user.email = email
            changed.append("email")
    access = False
    given = command.department_ids
    if given is not None and (moved := await _departments(session, principal, user, given)):
        changed.extend(moved)
        access = True
    employers: dict[str, list[int]] = {}
    if command.employer_ids is not None:
        employers = await _employers(session, principal, user, command.employer_ids)
        if employers["employersAdded"] or employers["employersRemoved"]:
            changed.append("employerIds")
            access = True
    if not changed:
        return user  # nothing to change: nothing logged
    await session.flush()
    if access:
        outbox.access_changed(session, user.id, user.employer_id)
    administration.log(
        session,
        principal.user_id,
        "updateUser",
        user,
        provider_id=await users.office_of(session, user),
        employer_id=user.employer_id,
        changed=changed,
        **employers,
    )
    return user


async def resolve_update_user(info: strawberry.Info, input: UpdateUserInput) -> UserPayload:
    """Change a staff user's display name, e-mail address, departments (department managers)
    or further employers (employer users, DOMAIN.md section 9). Fields left out stay as they
    are; a change that changes nothing is a no-op. Changed departments or employers hold from
    the user's next request on, and its live subscriptions re-check at once."""
    command = UpdateUser(
        user_id=input.user_id,
        display_name=input.display_name,
        email=input.email,
        department_ids=None if input.department_ids is None else tuple(input.department_ids),
        employer_ids=None if input.employer_ids is None else tuple(input.employer_ids),
    )
    return await mutate(info, update_user, command, UserPayload, lambda user: {"user": user})
