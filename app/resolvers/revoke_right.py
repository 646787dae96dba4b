"""Take a right away from a staff user at the level it was granted."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import models as m
from app.db import outbox, rights
from app.db.session import Session
from app.domain.authz import Principal, Right
from app.domain.errors import DomainError, ErrorCode
from app.schema.ids import input_pk
from app.schema.inputs.rights import GrantRightInput
from app.schema.payloads.rights import UserPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class RevokeRight:
    user_id: str
    right: Right
    employer_id: str | None = None  # None: at provider level


async def revoke_right(session: Session, principal: Principal, command: RevokeRight) -> m.User:
    given = command.employer_id
    user, employer_id = await rights.target(
        session,
        principal,
        input_pk(command.user_id, "User", "userId"),
        command.right,
        None if given is None else lambda: input_pk(given, "Employer", "employerId"),
    )
    last_check = command.right is Right.MANAGE_USERS and employer_id is None
    if last_check:
        await rights.lock_office(session, user.provider_id)
    if last_check and await rights.other_office_administrators(session, user) == 0:
        raise DomainError(
            ErrorCode.LAST_ADMINISTRATOR,
            "Dit is de laatste gebruiker die rechten mag beheren op kantoorniveau; "
            "ken het recht eerst aan een ander toe.",
            ["userId"],
        )
    await rights.delete_grant(session, user.id, command.right, employer_id)
    outbox.access_changed(session, user.id, employer_id)
    return user


async def resolve_revoke_right(info: strawberry.Info, input: GrantRightInput) -> UserPayload:
    """Take a right away at the same level it was granted. Revoking a right the user does not
    have is a no-op. The office's last user administrator cannot lose that right."""
    command = RevokeRight(user_id=input.user_id, right=input.right, employer_id=input.employer_id)
    return await mutate(info, revoke_right, command, UserPayload, lambda user: {"user": user})
