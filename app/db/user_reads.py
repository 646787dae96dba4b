"""Reads of a user as the `User` type shows it: its departments, role links and rights, each
scoped by `restrict`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import models as m
from app.db.reads import Reader
from app.db.scoping import restrict
from app.domain.authz import Principal


async def departments_of_user(
    reader: Reader, principal: Principal | None, user_id: int
) -> list[m.Department]:
    """The departments a department manager is limited to, by name."""
    stmt = restrict(
        select(m.Department)
        .join(m.UserDepartment, m.UserDepartment.department_id == m.Department.id)
        .where(m.UserDepartment.user_id == user_id)
        .order_by(m.Department.name),
        principal,
        m.Department,
    )
    return await reader.scalars(stmt)


async def role_links_of_user(
    reader: Reader, principal: Principal | None, user_id: int
) -> list[m.RoleLink]:
    """The roles the user holds, per employer, in the order they were linked."""
    stmt = restrict(
        select(m.RoleLink).where(m.RoleLink.user_id == user_id).order_by(m.RoleLink.id),
        principal,
        m.RoleLink,
    )
    return await reader.scalars(stmt)


async def grants_of_user(reader: Reader, principal: Principal | None, user_id: int) -> list[Any]:
    """The user's granted rights as (right, employer id or None) rows."""
    grants: Any = select(m.RightGrant.right, m.RightGrant.employer_id)  # restrict: Select[Any]
    stmt = restrict(grants.where(m.RightGrant.user_id == user_id), principal, m.RightGrant)
    return await reader.rows(stmt)
