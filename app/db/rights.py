"""Reads and writes of granted rights, for the grant and revoke use cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db import users
from app.db.lookup import visible
from app.domain import staff
from app.domain.authz import Principal, Right, UserRef, UserType


async def target(
    session: AsyncSession,
    principal: Principal,
    user_pk: int,
    right: Right,
    employer_pk: Callable[[], int] | None,
) -> tuple[m.User, int | None]:
    """The user and level (employer id, None: provider level) a grant or revocation is about,
    checked against the domain rules. `employer_pk` gives the employer's primary key; it is
    asked only once the user passed, so that errors come in the order of the input's fields."""
    user: m.User = await visible(session, principal, m.User, user_pk, "userId")
    ref = UserRef(user.user_type, user.provider_id, user.employer_id)
    staff.check_grantee(ref, principal.provider_id, provider_level=employer_pk is None)
    if employer_pk is None:
        return user, None
    employer: m.Employer = await visible(
        session, principal, m.Employer, employer_pk(), "employerId"
    )
    if not await users.works_at(session, user, employer):
        raise staff.not_at_employer("userId")
    staff.check_right_at_employer(right)
    return user, employer.id


def _grant_filter(user_id: int, right: Right, employer_id: int | None) -> tuple[Any, ...]:
    level: ColumnElement[bool] = (
        m.RightGrant.employer_id.is_(None)
        if employer_id is None
        else m.RightGrant.employer_id == employer_id
    )
    return (m.RightGrant.user_id == user_id, m.RightGrant.right == right, level)


async def holds(session: AsyncSession, user_id: int, right: Right, employer_id: int | None) -> bool:
    """Whether the user was granted `right` at exactly this level."""
    held = await session.scalar(
        select(m.RightGrant.id).where(*_grant_filter(user_id, right, employer_id))
    )
    return held is not None


async def delete_grant(
    session: AsyncSession, user_id: int, right: Right, employer_id: int | None
) -> None:
    await session.execute(delete(m.RightGrant).where(*_grant_filter(user_id, right, employer_id)))


async def lock_office(session: AsyncSession, provider_id: int | None) -> None:
    """Serialize the office's administrator changes: two administrators revoking each other at
    the same moment must not both succeed (PostgreSQL; SQLite writes queue)."""
    await session.execute(
        select(m.Provider.id).where(m.Provider.id == provider_id).with_for_update()
    )


async def other_office_administrators(session: AsyncSession, user: m.User) -> int:
    """How many other active provider users of the user's office may manage users there."""
    count = await session.scalar(
        select(func.count())
        .select_from(m.RightGrant)
        .join(m.User, m.User.id == m.RightGrant.user_id)
        .where(
            m.RightGrant.right == Right.MANAGE_USERS,
            m.RightGrant.employer_id.is_(None),
            m.User.user_type == UserType.PROVIDER,
            m.User.provider_id == user.provider_id,
            m.User.active,
            m.User.id != user.id,
        )
    )
    return count or 0
