"""Reads and writes of roles for the role use cases."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.domain.errors import DomainError, ErrorCode


async def role_named(
    session: AsyncSession, provider_id: int, name: str, except_id: int | None = None
) -> int | None:
    """The id of the office's role called `name` (case aside), other than `except_id`."""
    stmt = select(m.Role.id).where(
        m.Role.provider_id == provider_id, func.lower(m.Role.name) == name.lower()
    )
    if except_id is not None:
        stmt = stmt.where(m.Role.id != except_id)
    return await session.scalar(stmt)


async def ensure_name_free(
    session: AsyncSession, provider_id: int, name: str, except_id: int | None = None
) -> None:
    """NAME_TAKEN when the office already has a role of that name."""
    if await role_named(session, provider_id, name, except_id) is not None:
        raise DomainError(ErrorCode.NAME_TAKEN, f"Er bestaat al een rol '{name}'.", ["name"])


async def links_of(session: AsyncSession, role_id: int) -> int:
    """How many role links (user at employer) the role has."""
    stmt = select(func.count()).select_from(m.RoleLink).where(m.RoleLink.role_id == role_id)
    return await session.scalar(stmt) or 0


async def steps_naming(session: AsyncSession, role_id: int) -> int:
    """How many workflow steps, of any version, name the role."""
    stmt = select(func.count()).select_from(m.WorkflowStep).where(m.WorkflowStep.role_id == role_id)
    return await session.scalar(stmt) or 0


async def delete_role(session: AsyncSession, role_id: int) -> None:
    await session.execute(delete(m.Role).where(m.Role.id == role_id))
