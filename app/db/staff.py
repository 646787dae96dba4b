"""Reads about staff users at employers: where a user works, which departments it manages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.domain.authz import UserRef, user_works_at


def works_at(user: m.User, employer: m.Employer) -> bool:
    """Whether an active staff user can act at the employer (the domain's `user_works_at`)."""
    ref = UserRef(user.user_type, user.provider_id, user.employer_id)
    return user.active and user_works_at(ref, employer.id, employer.provider_id)


async def manages_department(session: AsyncSession, user_id: int, department_id: int) -> bool:
    """Whether the user is a manager of the department."""
    found = await session.scalar(
        select(m.UserDepartment.user_id).where(
            m.UserDepartment.user_id == user_id,
            m.UserDepartment.department_id == department_id,
        )
    )
    return found is not None
