"""Grant a right to a staff user at one employer, or at provider level."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import models as m
from app.db import outbox, rights
from app.db.session import Session
from app.domain.authz import Principal, Right
from app.schema.ids import input_pk
from app.schema.inputs.rights import GrantRightInput
from app.schema.payloads.rights import UserPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class GrantRight:
    user_id: str
    right: Right
    employer_id: str | None = None  # None: at provider level


async def grant_right(session: Session, principal: Principal, command: GrantRight) -> m.User:
    given = command.employer_id
    user, employer_id = await rights.target(
        session,
        principal,
        input_pk(command.user_id, "User", "userId"),
        command.right,
        None if given is None else lambda: input_pk(given, "Employer", "employerId"),
    )
    if not await rights.holds(session, user.id, command.right, employer_id):
        session.add(
            m.RightGrant(
                user_id=user.id,
                right=command.right,
                employer_id=employer_id,
                granted_by_id=principal.user_id,
            )
        )
        outbox.access_changed(session, user.id, employer_id)
    return user


async def resolve_grant_right(info: strawberry.Info, input: GrantRightInput) -> UserPayload:
    """Grant a right to a staff user at one employer, or at provider level (provider users).
    Granting a right the user already has is a no-op."""
    command = GrantRight(user_id=input.user_id, right=input.right, employer_id=input.employer_id)
    return await mutate(info, grant_right, command, UserPayload, lambda user: {"user": user})
