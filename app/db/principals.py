"""Build the `Principal` of a signed-in user: one small set of queries per request."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Employee,
    Employer,
    RightGrant,
    RoleLink,
    User,
    UserDepartment,
    UserEmployer,
)
from app.domain.authz import Grant, Principal, UserType


async def load_principal(session: AsyncSession, username: str) -> Principal | None:
    """None when no active user has this username (the token then signs in nobody)."""
    user = await session.scalar(select(User).where(User.username == username, User.active))
    if user is None:
        return None

    provider_id = user.provider_id
    if user.user_type is UserType.PROVIDER:
        reachable = set(
            await session.scalars(select(Employer.id).where(Employer.provider_id == provider_id))
        )
    elif user.user_type is UserType.EMPLOYEE:
        reachable = set(
            await session.scalars(
                select(Employee.employer_id).where(Employee.person_id == user.person_id).distinct()
            )
        )
    else:
        assert user.employer_id is not None  # a check constraint: employer users have one
        reachable = {user.employer_id}
        provider_id = await session.scalar(
            select(Employer.provider_id).where(Employer.id == user.employer_id)
        )
        if user.user_type is UserType.EMPLOYER:
            # Further employers of the same office (updateUser's employerIds, DOMAIN.md section
            # 9): reachable like its own, but rights and role links still hold per employer, so
            # a right granted at A gives nothing at B (`Principal.rights_at`).
            reachable |= set(
                await session.scalars(
                    select(UserEmployer.employer_id)
                    .join(Employer, Employer.id == UserEmployer.employer_id)
                    .where(UserEmployer.user_id == user.id, Employer.provider_id == provider_id)
                )
            )

    grants = await session.execute(
        select(RightGrant.right, RightGrant.employer_id).where(RightGrant.user_id == user.id)
    )
    links = await session.execute(
        select(RoleLink.role_id, RoleLink.employer_id).where(RoleLink.user_id == user.id)
    )
    departments = set(
        await session.scalars(
            select(UserDepartment.department_id).where(UserDepartment.user_id == user.id)
        )
    )
    return Principal(
        user_id=user.id,
        username=user.username,
        user_type=user.user_type,
        provider_id=provider_id,
        employer_id=user.employer_id,
        person_id=user.person_id,
        reachable_employer_ids=frozenset(reachable),
        department_ids=frozenset(departments),
        grants=frozenset(Grant(right, employer_id) for right, employer_id in grants),
        role_links=frozenset((role_id, employer_id) for role_id, employer_id in links),
    )
