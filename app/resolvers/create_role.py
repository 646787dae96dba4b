"""Create a role of the office (roles are defined at provider level)."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import models as m
from app.db import roles
from app.db.session import Session
from app.domain import validation
from app.domain.authz import Principal
from app.schema.inputs.roles import CreateRoleInput
from app.schema.payloads.roles import RolePayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class CreateRole:
    name: str


async def create_role(session: Session, principal: Principal, command: CreateRole) -> m.Role:
    name = validation.name(command.name, "name")
    await roles.ensure_name_free(session, principal.provider_id, name)
    role = m.Role(provider_id=principal.provider_id, name=name)
    session.add(role)
    await session.flush()
    return role


async def resolve_create_role(info: strawberry.Info, input: CreateRoleInput) -> RolePayload:
    """Create a role for all employers of your office (roles are defined at provider level)."""
    return await mutate(
        info, create_role, CreateRole(name=input.name), RolePayload, lambda role: {"role": role}
    )
