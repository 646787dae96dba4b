from __future__ import annotations

import strawberry

from app.db import models as m
from app.domain.errors import DomainError
from app.resolvers.common import clean_name, get_visible, input_pk, write
from app.resolvers.create_role import RolePayload, ensure_name_free
from app.schema.errors import UserError


@strawberry.input
class RenameRoleInput:
    role_id: strawberry.ID
    name: str


async def rename_role(info: strawberry.Info, input: RenameRoleInput) -> RolePayload:
    """Rename a role of your office. Links and workflow steps keep pointing at it."""

    async def apply(session, principal) -> m.Role:
        role = await get_visible(
            session, principal, m.Role, input_pk(input.role_id, "Role", "roleId"), "roleId"
        )
        name = clean_name(input.name, "name")
        await ensure_name_free(session, role.provider_id, name, except_id=role.id)
        role.name = name
        return role

    try:
        return RolePayload(role=await write(info, apply), errors=[])
    except DomainError as error:
        return RolePayload(errors=[UserError.of(error)])
