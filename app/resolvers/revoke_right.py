from __future__ import annotations

import strawberry
from sqlalchemy import delete, func, select

from app.db import models as m
from app.db import outbox
from app.domain.authz import Right, UserType
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import write
from app.resolvers.grant_right import GrantRightInput, UserPayload, grant_filter, target
from app.schema.errors import UserError


async def _other_office_administrators(session, user: m.User) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(m.RightGrant)
        .join(m.User, m.User.id == m.RightGrant.user_id)
        .where(
            m.RightGrant.right == Right.MANAGE_USERS,
            m.RightGrant.employer_id.is_(None),
            m.User.user_type == UserType.PROVIDER,
            m.User.provider_id == user.provider_id,
            m.User.active,
            m.User.id != user.id,
        )
    )


async def revoke_right(info: strawberry.Info, input: GrantRightInput) -> UserPayload:
    """Take a right away at the same level it was granted. Revoking a right the user does not
    have is a no-op. The office's last user administrator cannot lose that right."""

    async def apply(session, principal) -> m.User:
        user, employer_id = await target(session, principal, input)
        last_check = input.right is Right.MANAGE_USERS and employer_id is None
        if last_check:
            # Serialize the office's administrator changes: two administrators revoking each
            # other at the same moment must not both succeed (PostgreSQL; SQLite writes queue).
            await session.execute(
                select(m.Provider.id).where(m.Provider.id == user.provider_id).with_for_update()
            )
        if last_check and await _other_office_administrators(session, user) == 0:
            raise DomainError(
                ErrorCode.LAST_ADMINISTRATOR,
                "Dit is de laatste gebruiker die rechten mag beheren op kantoorniveau; "
                "ken het recht eerst aan een ander toe.",
                ["userId"],
            )
        await session.execute(
            delete(m.RightGrant).where(*grant_filter(user.id, input.right, employer_id))
        )
        outbox.access_changed(session, user.id, employer_id)
        return user

    try:
        return UserPayload(user=await write(info, apply), errors=[])
    except DomainError as error:
        return UserPayload(errors=[UserError.of(error)])
