from __future__ import annotations

import strawberry
from sqlalchemy import select

from app.db import models as m
from app.db import outbox
from app.domain.authz import UserRef, user_works_at
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import get_visible, input_pk, write
from app.schema.errors import UserError
from app.schema.types.user import RoleLink


@strawberry.input
class LinkRoleInput:
    role_id: strawberry.ID
    user_id: strawberry.ID
    employer_id: strawberry.ID


@strawberry.type
class RoleLinkPayload:
    role_link: RoleLink | None = None
    errors: list[UserError]


def works_at(user: m.User, employer: m.Employer) -> bool:
    ref = UserRef(user.user_type, user.provider_id, user.employer_id)
    return user.active and user_works_at(ref, employer.id, employer.provider_id)


def not_at_employer(field: str) -> DomainError:
    return DomainError(
        ErrorCode.USER_NOT_AT_EMPLOYER,
        "Deze gebruiker werkt niet bij deze werkgever of zijn kantoor.",
        [field],
    )


async def link_role(info: strawberry.Info, input: LinkRoleInput) -> RoleLinkPayload:
    """Link one of the office's roles to a user at one employer. Linking again is a no-op."""

    async def apply(session, principal) -> m.RoleLink:
        employer = await get_visible(
            session,
            principal,
            m.Employer,
            input_pk(input.employer_id, "Employer", "employerId"),
            "employerId",
        )
        role = await get_visible(
            session, principal, m.Role, input_pk(input.role_id, "Role", "roleId"), "roleId"
        )
        if role.provider_id != employer.provider_id:
            raise DomainError(ErrorCode.NOT_FOUND, "Rol niet gevonden bij dit kantoor.", ["roleId"])
        user = await get_visible(
            session, principal, m.User, input_pk(input.user_id, "User", "userId"), "userId"
        )
        if not works_at(user, employer):
            raise not_at_employer("userId")
        existing = await session.scalar(
            select(m.RoleLink).where(
                m.RoleLink.role_id == role.id,
                m.RoleLink.user_id == user.id,
                m.RoleLink.employer_id == employer.id,
            )
        )
        if existing is not None:
            return existing
        link = m.RoleLink(
            role_id=role.id,
            user_id=user.id,
            employer_id=employer.id,
            created_by_id=principal.user_id,
        )
        session.add(link)
        await session.flush()
        outbox.access_changed(session, user.id, employer.id)
        return link

    try:
        return RoleLinkPayload(role_link=await write(info, apply), errors=[])
    except DomainError as error:
        return RoleLinkPayload(errors=[UserError.of(error)])
