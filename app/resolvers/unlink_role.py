from __future__ import annotations

import strawberry
from sqlalchemy import delete

from app.db import models as m
from app.db import outbox
from app.domain.errors import DomainError
from app.resolvers.common import get_visible, input_pk, write
from app.schema.errors import UserError


@strawberry.input
class UnlinkRoleInput:
    role_link_id: strawberry.ID


@strawberry.type
class UnlinkRolePayload:
    unlinked_role_link_id: strawberry.ID | None = None
    errors: list[UserError]


async def unlink_role(info: strawberry.Info, input: UnlinkRoleInput) -> UnlinkRolePayload:
    """Remove a role from a user at one employer. Open tasks of that role then go to whoever
    holds the role there now (assignment is resolved when a task is read)."""

    async def apply(session, principal) -> strawberry.ID:
        pk = input_pk(input.role_link_id, "RoleLink", "roleLinkId")
        link = await get_visible(session, principal, m.RoleLink, pk, "roleLinkId")
        await session.execute(delete(m.RoleLink).where(m.RoleLink.id == link.id))
        outbox.access_changed(session, link.user_id, link.employer_id)
        return input.role_link_id

    try:
        return UnlinkRolePayload(unlinked_role_link_id=await write(info, apply), errors=[])
    except DomainError as error:
        return UnlinkRolePayload(errors=[UserError.of(error)])
