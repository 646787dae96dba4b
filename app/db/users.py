"""Reads and writes of staff users for createUser, updateUser and deactivateUser, and the
reads the `User` type and the permission of those mutations need."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db import staff
from app.db.lookup import visible
from app.db.reads import Reader
from app.db.scoping import restrict
from app.domain.authz import Principal, UserType
from app.domain.errors import DomainError, ErrorCode


async def username_exists(session: AsyncSession, username: str) -> bool:
    found = await session.scalar(select(m.User.id).where(m.User.username == username))
    return found is not None


async def office_of(session: AsyncSession, user: m.User) -> int:
    """The provider (office) a staff user belongs to."""
    if user.provider_id is not None:
        return user.provider_id
    provider_id = await session.scalar(
        select(m.Employer.provider_id).where(m.Employer.id == user.employer_id)
    )
    assert provider_id is not None
    return int(provider_id)


async def departments_at(
    session: AsyncSession, principal: Principal, employer_id: int, pks: Sequence[int]
) -> list[int]:
    """The departments named (visible, else NOT_FOUND), each of the employer (else
    INVALID_VALUE), without repeats, in the order given."""
    found: list[int] = []
    for pk in pks:
        path = ["departmentIds"]
        department: m.Department = await visible(session, principal, m.Department, pk, path)
        if department.employer_id != employer_id:
            raise DomainError(
                ErrorCode.INVALID_VALUE, "Deze afdeling hoort niet bij deze werkgever.", path
            )
        if department.id not in found:
            found.append(department.id)
    return found


async def departments_of(session: AsyncSession, user_id: int) -> set[int]:
    rows = await session.scalars(
        select(m.UserDepartment.department_id).where(m.UserDepartment.user_id == user_id)
    )
    return set(rows)


async def set_departments(session: AsyncSession, user_id: int, department_ids: set[int]) -> None:
    await session.execute(delete(m.UserDepartment).where(m.UserDepartment.user_id == user_id))
    for department_id in sorted(department_ids):
        session.add(m.UserDepartment(user_id=user_id, department_id=department_id))
    await session.flush()


async def further_employers(session: AsyncSession, user_id: int) -> set[int]:
    """The employers an employer user has access to besides its own."""
    rows = await session.scalars(
        select(m.UserEmployer.employer_id).where(m.UserEmployer.user_id == user_id)
    )
    return set(rows)


async def set_further_employers(
    session: AsyncSession, user_id: int, added: set[int], removed: set[int], actor_id: int
) -> None:
    if removed:
        await session.execute(
            delete(m.UserEmployer).where(
                m.UserEmployer.user_id == user_id, m.UserEmployer.employer_id.in_(sorted(removed))
            )
        )
    for employer_id in sorted(added):
        session.add(m.UserEmployer(user_id=user_id, employer_id=employer_id, added_by_id=actor_id))
    await session.flush()


async def employer_level(
    reader: Reader, principal: Principal | None, pk: int
) -> tuple[bool, int | None]:
    """Whether the user `pk` is visible to the principal, and where it belongs: its employer
    (employer users, department managers), or None (provider users and MijnLoket accounts:
    administered at provider level)."""
    stmt = restrict(select(m.User.employer_id).where(m.User.id == pk), principal, m.User)
    rows = await reader.rows(stmt)
    if not rows:
        return False, None
    employer_id: int | None = rows[0][0]
    return True, employer_id


async def employers_of_user(
    reader: Reader, principal: Principal | None, user_id: int, user_type: UserType
) -> list[m.Employer]:
    """The employers an employer user or department manager works at (its own, then those it
    was given access to), as far as the reader may see them; none for other users."""
    if user_type not in (UserType.EMPLOYER, UserType.DEPARTMENT_MANAGER):
        return []
    own = select(m.User.employer_id).where(m.User.id == user_id)
    further = select(m.UserEmployer.employer_id).where(m.UserEmployer.user_id == user_id)
    stmt = restrict(
        select(m.Employer)
        .where(or_(m.Employer.id.in_(own), m.Employer.id.in_(further)))
        .order_by(m.Employer.name, m.Employer.id),
        principal,
        m.Employer,
    )
    return await reader.scalars(stmt)


async def works_at(session: AsyncSession, user: m.User, employer: m.Employer) -> bool:
    """`app/db/staff.works_at`, and also at the further employers of the office an employer
    user was given access to (UserEmployer). For grantRight and linkRole, so that rights and
    role links can be given at those employers (DOMAIN.md section 9)."""
    if staff.works_at(user, employer):
        return True
    if not user.active or user.user_type is not UserType.EMPLOYER:
        return False
    found = await session.scalar(
        select(m.UserEmployer.employer_id)
        .join(m.Employer, m.Employer.id == m.UserEmployer.employer_id)
        .where(
            m.UserEmployer.user_id == user.id,
            m.UserEmployer.employer_id == employer.id,
            m.Employer.provider_id == employer.provider_id,
        )
    )
    return found is not None
