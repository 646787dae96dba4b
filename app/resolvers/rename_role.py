"""Rename a role of the office."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import models as m
from app.db import roles
from app.db.lookup import visible
from app.db.session import Session
from app.domain import validation
from app.domain.authz import Principal
from app.schema.ids import input_pk
from app.schema.inputs.roles import RenameRoleInput
from app.schema.payloads.roles import RolePayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class RenameRole:
    role_id: str
    name: str


async def rename_role(session: Session, principal: Principal, command: RenameRole) -> m.Role:
    pk = input_pk(command.role_id, "Role", "roleId")
    role = await visible(session, principal, m.Role, pk, "roleId")
    name = validation.name(command.name, "name")
    await roles.ensure_name_free(session, role.provider_id, name, except_id=role.id)
    role.name = name
    return role


async def resolve_rename_role(info: strawberry.Info, input: RenameRoleInput) -> RolePayload:
    """Rename a role of your office. Links and workflow steps keep pointing at it."""
    command = RenameRole(role_id=input.role_id, name=input.name)
    return await mutate(info, rename_role, command, RolePayload, lambda role: {"role": role})
