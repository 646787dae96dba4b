from __future__ import annotations

import strawberry
from sqlalchemy import func, select

from app.db import models as m
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import clean_name, write
from app.schema.errors import UserError
from app.schema.types.user import Role


@strawberry.input
class CreateRoleInput:
    name: str


@strawberry.type
class RolePayload:
    role: Role | None = None
    errors: list[UserError]


async def ensure_name_free(session, provider_id: int, name: str, except_id: int | None = None):
    stmt = select(m.Role.id).where(
        m.Role.provider_id == provider_id, func.lower(m.Role.name) == name.lower()
    )
    if except_id is not None:
        stmt = stmt.where(m.Role.id != except_id)
    if await session.scalar(stmt) is not None:
        raise DomainError(ErrorCode.NAME_TAKEN, f"Er bestaat al een rol '{name}'.", ["name"])


async def create_role(info: strawberry.Info, input: CreateRoleInput) -> RolePayload:
    """Create a role for all employers of your office (roles are defined at provider level)."""

    async def apply(session, principal) -> m.Role:
        name = clean_name(input.name, "name")
        await ensure_name_free(session, principal.provider_id, name)
        role = m.Role(provider_id=principal.provider_id, name=name)
        session.add(role)
        await session.flush()
        return role

    try:
        return RolePayload(role=await write(info, apply), errors=[])
    except DomainError as error:
        return RolePayload(errors=[UserError.of(error)])
