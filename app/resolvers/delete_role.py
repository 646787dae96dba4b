from __future__ import annotations

import strawberry
from sqlalchemy import delete, func, select

from app.db import models as m
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import get_visible, input_pk, write
from app.schema.errors import UserError


@strawberry.input
class DeleteRoleInput:
    role_id: strawberry.ID


@strawberry.type
class DeleteRolePayload:
    deleted_role_id: strawberry.ID | None = None
    errors: list[UserError]


async def delete_role(info: strawberry.Info, input: DeleteRoleInput) -> DeleteRolePayload:
    """Remove a role of your office. Refused while it is linked to a user at any employer or
    named in a workflow step (of any version)."""

    async def apply(session, principal) -> strawberry.ID:
        role = await get_visible(
            session, principal, m.Role, input_pk(input.role_id, "Role", "roleId"), "roleId"
        )
        links = await session.scalar(
            select(func.count()).select_from(m.RoleLink).where(m.RoleLink.role_id == role.id)
        )
        if links:
            raise DomainError(
                ErrorCode.ROLE_IN_USE,
                f"De rol '{role.name}' is nog aan {links} gebruiker(s) gekoppeld. "
                "Ontkoppel de rol eerst.",
                ["roleId"],
            )
        # Running requests may still follow an old version that names the role: every version
        # counts, not only the current ones.
        used = await session.scalar(
            select(func.count())
            .select_from(m.WorkflowStep)
            .where(m.WorkflowStep.role_id == role.id)
        )
        if used:
            raise DomainError(
                ErrorCode.ROLE_IN_USE,
                f"De rol '{role.name}' wordt nog gebruikt in workflowstappen. Wijs die stappen "
                "eerst aan een andere uitvoerder toe.",
                ["roleId"],
            )
        await session.execute(delete(m.Role).where(m.Role.id == role.id))
        return input.role_id

    try:
        return DeleteRolePayload(deleted_role_id=await write(info, apply), errors=[])
    except DomainError as error:
        return DeleteRolePayload(errors=[UserError.of(error)])
