"""Deactivate a staff user: signed out at once; the row stays (requests and audits name it)."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import administration, outbox, rights, users
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import users as rules
from app.domain.authz import Principal, Right, UserType
from app.schema.ids import input_pk
from app.schema.inputs.users import DeactivateUserInput
from app.schema.payloads.rights import UserPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class DeactivateUser:
    user_id: str


async def deactivate_user(
    session: Session, principal: Principal, command: DeactivateUser
) -> m.User:
    pk = input_pk(command.user_id, "User", "userId")
    user: m.User = await visible(session, principal, m.User, pk, "userId")
    rules.check_administrable(user.user_type)
    rules.check_not_self(principal.user_id, user.id)
    if not user.active:
        return user  # already deactivated: who and when stay as they were
    office = await users.office_of(session, user)
    if user.user_type is UserType.PROVIDER:
        # The rule of revokeRight: the office keeps an active user administrator. Locked
        # first, so that two administrators deactivating each other cannot both succeed.
        await rights.lock_office(session, office)
    await session.refresh(user, with_for_update=True)
    if (
        user.user_type is UserType.PROVIDER
        and await rights.holds(session, user.id, Right.MANAGE_USERS, None)
        and await rights.other_office_administrators(session, user) == 0
    ):
        raise rules.last_administrator()
    user.active = False
    user.deactivated_at = m.utcnow()
    user.deactivated_by_id = principal.user_id
    await session.flush()
    # Live subscriptions re-check: the user no longer loads, so they end (UNAUTHENTICATED)
    # and its WebSocket connections close (4403).
    outbox.access_changed(session, user.id, user.employer_id)
    administration.log(
        session,
        principal.user_id,
        "deactivateUser",
        user,
        provider_id=office,
        employer_id=user.employer_id,
    )
    return user


async def resolve_deactivate_user(info: strawberry.Info, input: DeactivateUserInput) -> UserPayload:
    """Deactivate a staff user: it is signed out at once (its tokens are refused from the next
    request on, its live subscriptions end and its WebSocket connections close with 4403). The
    user stays readable (`active: false`) wherever it acted. Refused for yourself and for the
    office's last active user administrator at provider level (LAST_ADMINISTRATOR);
    deactivating an inactive user is a no-op."""
    command = DeactivateUser(user_id=input.user_id)
    return await mutate(info, deactivate_user, command, UserPayload, lambda user: {"user": user})
