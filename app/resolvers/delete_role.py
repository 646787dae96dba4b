"""Remove a role of the office that nothing uses."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import models as m
from app.db import roles
from app.db.lookup import visible
from app.db.session import Session
from app.domain.authz import Principal
from app.domain.errors import DomainError, ErrorCode
from app.schema.ids import input_pk
from app.schema.inputs.roles import DeleteRoleInput
from app.schema.payloads.roles import DeleteRolePayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class DeleteRole:
    role_id: str


async def delete_role(session: Session, principal: Principal, command: DeleteRole) -> str:
    """The deleted role's ID."""
    pk = input_pk(command.role_id, "Role", "roleId")
    role = await visible(session, principal, m.Role, pk, "roleId")
    if links := await roles.links_of(session, role.id):
        raise DomainError(
            ErrorCode.ROLE_IN_USE,
            f"De rol '{role.name}' is nog aan {links} gebruiker(s) gekoppeld. "
            "Ontkoppel de rol eerst.",
            ["roleId"],
        )
    # Running requests may still follow an old version that names the role: every version
    # counts, not only the current ones.
    if await roles.steps_naming(session, role.id):
        raise DomainError(
            ErrorCode.ROLE_IN_USE,
            f"De rol '{role.name}' wordt nog gebruikt in workflowstappen. Wijs die stappen "
            "eerst aan een andere uitvoerder toe.",
            ["roleId"],
        )
    await roles.delete_role(session, role.id)
    return command.role_id


async def resolve_delete_role(info: strawberry.Info, input: DeleteRoleInput) -> DeleteRolePayload:
    """Remove a role of your office. Refused while it is linked to a user at any employer or
    named in a workflow step (of any version)."""
    return await mutate(
        info,
        delete_role,
        DeleteRole(role_id=input.role_id),
        DeleteRolePayload,
        lambda role_id: {"deleted_role_id": role_id},
    )
