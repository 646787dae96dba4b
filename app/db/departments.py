"""Reads and writes of departments and their managers (createDepartment, renameDepartment,
setDepartmentManagers, `Department.managers`)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.reads import Reader
from app.db.scoping import restrict
from app.domain import offices
from app.domain.authz import Principal


async def ensure_name_free(
    session: AsyncSession, employer_id: int, name: str, except_id: int | None = None
) -> None:
    """NAME_TAKEN when the employer has another department of that name (case aside)."""
    stmt = select(m.Department.id).where(
        m.Department.employer_id == employer_id, func.lower(m.Department.name) == name.lower()
    )
    if except_id is not None:
        stmt = stmt.where(m.Department.id != except_id)
    if await session.scalar(stmt.limit(1)) is not None:
        raise offices.department_name_taken(name)


async def manager_ids(session: AsyncSession, department_id: int) -> set[int]:
    """The users managing the department now."""
    rows = await session.scalars(
        select(m.UserDepartment.user_id).where(m.UserDepartment.department_id == department_id)
    )
    return set(rows)


async def other_departments(
    session: AsyncSession, user_ids: Collection[int], department_id: int
) -> dict[int, set[int]]:
    """Per user, the departments it manages besides `department_id`."""
    found: dict[int, set[int]] = {u: set() for u in user_ids}
    if not found:
        return found
    rows = await session.execute(
        select(m.UserDepartment.user_id, m.UserDepartment.department_id).where(
            m.UserDepartment.user_id.in_(sorted(found)),
            m.UserDepartment.department_id != department_id,
        )
    )
    for user_id, other in rows:
        found[user_id].add(other)
    return found


async def set_managers(
    session: AsyncSession, department_id: int, add: Collection[int], remove: Collection[int]
) -> None:
    if remove:
        await session.execute(
            delete(m.UserDepartment).where(
                m.UserDepartment.department_id == department_id,
                m.UserDepartment.user_id.in_(sorted(remove)),
            )
        )
    for user_id in sorted(add):
        session.add(m.UserDepartment(user_id=user_id, department_id=department_id))
    await session.flush()


async def managers_of(
    reader: Reader, principal: Principal | None, department_id: int
) -> list[m.User]:
    """The department's managers the principal may see, by display name."""
    stmt = restrict(
        select(m.User)
        .join(m.UserDepartment, m.UserDepartment.user_id == m.User.id)
        .where(m.UserDepartment.department_id == department_id)
        .order_by(m.User.display_name, m.User.id),
        principal,
        m.User,
    )
    return await reader.scalars(stmt)
