from __future__ import annotations

import strawberry
from sqlalchemy import select

from app.db import models as m
from app.db import outbox
from app.domain.authz import PROVIDER_ONLY_RIGHTS, RIGHT_NAMES, UserType
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import get_visible, input_pk, write
from app.resolvers.link_role import not_at_employer, works_at
from app.schema.enums import Right
from app.schema.errors import UserError
from app.schema.types.user import User


@strawberry.input(description="No `employerId`: the right is granted at provider level.")
class GrantRightInput:
    user_id: strawberry.ID
    right: Right
    employer_id: strawberry.ID | None = None


@strawberry.type
class UserPayload:
    user: User | None = None
    errors: list[UserError]


def not_grantable(message: str) -> DomainError:
    return DomainError(ErrorCode.RIGHT_NOT_GRANTABLE, message, ["userId"])


async def target(session, principal, input: GrantRightInput) -> tuple[m.User, int | None]:
    """The user and level a grant or revocation is about, checked against the domain rules."""
    user = await get_visible(
        session, principal, m.User, input_pk(input.user_id, "User", "userId"), "userId"
    )
    if user.user_type is UserType.EMPLOYEE:
        raise not_grantable("Medewerkers (MijnLoket-accounts) krijgen geen rechten.")
    if input.employer_id is None:
        if user.user_type is not UserType.PROVIDER or user.provider_id != principal.provider_id:
            raise not_grantable("Rechten op kantoorniveau zijn alleen voor providergebruikers.")
        return user, None
    employer = await get_visible(
        session,
        principal,
        m.Employer,
        input_pk(input.employer_id, "Employer", "employerId"),
        "employerId",
    )
    if not works_at(user, employer):
        raise not_at_employer("userId")
    if input.right in PROVIDER_ONLY_RIGHTS:
        raise DomainError(
            ErrorCode.RIGHT_NOT_GRANTABLE,
            f"Het recht '{RIGHT_NAMES[input.right]}' bestaat alleen op kantoorniveau.",
            ["right"],
        )
    return user, employer.id


def grant_filter(user_id: int, right, employer_id: int | None):
    level = (
        m.RightGrant.employer_id.is_(None)
        if employer_id is None
        else m.RightGrant.employer_id == employer_id
    )
    return (m.RightGrant.user_id == user_id, m.RightGrant.right == right, level)


async def grant_right(info: strawberry.Info, input: GrantRightInput) -> UserPayload:
    """Grant a right to a staff user at one employer, or at provider level (provider users).
    Granting a right the user already has is a no-op."""

    async def apply(session, principal) -> m.User:
        user, employer_id = await target(session, principal, input)
        held = await session.scalar(
            select(m.RightGrant.id).where(*grant_filter(user.id, input.right, employer_id))
        )
        if held is None:
            session.add(
                m.RightGrant(
                    user_id=user.id,
                    right=input.right,
                    employer_id=employer_id,
                    granted_by_id=principal.user_id,
                )
            )
            outbox.access_changed(session, user.id, employer_id)
        return user

    try:
        return UserPayload(user=await write(info, apply), errors=[])
    except DomainError as error:
        return UserPayload(errors=[UserError.of(error)])
