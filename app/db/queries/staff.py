"""The staff of employers as the assignment rules see them (app/domain/assignment.py).

A system read, not a read on behalf of the caller: it decides who may act or gets e-mail. Its
rows are never handed to a client; users shown to a client go through the scoped user loader.
Batched: one set of queries for all employers a request asks about.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from sqlalchemy import Select, and_, or_, select

from app.db import models as m
from app.domain.assignment import EmployerStaff, StaffMember
from app.domain.authz import UserType


def _member(user: m.User, departments: dict[int, set[int]]) -> StaffMember:
    return StaffMember(
        user_id=user.id,
        user_type=user.user_type,
        person_id=user.person_id,
        department_ids=frozenset(departments.get(user.id, ())),
        has_email=bool(user.email),
    )


class Reader(Protocol):
    """The reads the batch needs (the request context's helpers, or a write session's)."""

    async def scalars(self, stmt: Select[*tuple[Any, ...]]) -> list[Any]: ...

    async def rows(self, stmt: Select[*tuple[Any, ...]]) -> list[Any]: ...


def staff_of_employers(reader: Reader) -> Callable[[Sequence[int]], Awaitable[list[EmployerStaff]]]:
    """Batch function: employer id -> EmployerStaff."""

    async def load(employer_ids: Sequence[int]) -> list[EmployerStaff]:
        wanted = set(employer_ids)
        providers = dict(
            await reader.rows(
                select(m.Employer.id, m.Employer.provider_id).where(m.Employer.id.in_(wanted))
            )
        )
        # Employer users with access to further employers of the office (DOMAIN.md section 9)
        # are staff there too.
        further: set[tuple[int, int]] = {
            (user_id, employer_id)
            for user_id, employer_id in await reader.rows(
                select(m.UserEmployer.user_id, m.UserEmployer.employer_id).where(
                    m.UserEmployer.employer_id.in_(wanted)
                )
            )
        }
        users = await reader.scalars(
            select(m.User).where(
                m.User.active,
                or_(
                    and_(
                        m.User.user_type.in_([UserType.EMPLOYER, UserType.DEPARTMENT_MANAGER]),
                        m.User.employer_id.in_(wanted),
                    ),
                    m.User.id.in_({user_id for user_id, _ in further}),
                    and_(
                        m.User.user_type == UserType.PROVIDER,
                        m.User.provider_id.in_(set(providers.values())),
                    ),
                ),
            )
        )
        managers = [u.id for u in users if u.user_type is UserType.DEPARTMENT_MANAGER]
        departments: dict[int, set[int]] = {}
        if managers:
            for user_id, department_id in await reader.rows(
                select(m.UserDepartment.user_id, m.UserDepartment.department_id).where(
                    m.UserDepartment.user_id.in_(managers)
                )
            ):
                departments.setdefault(user_id, set()).add(department_id)
        links: dict[int, set[tuple[int, int]]] = {}
        for employer_id, role_id, user_id in await reader.rows(
            select(m.RoleLink.employer_id, m.RoleLink.role_id, m.RoleLink.user_id).where(
                m.RoleLink.employer_id.in_(wanted)
            )
        ):
            links.setdefault(employer_id, set()).add((role_id, user_id))

        def staff_of(employer_id: int) -> EmployerStaff:
            provider_id = providers.get(employer_id)
            members = tuple(
                _member(u, departments)
                for u in users
                if u.employer_id == employer_id
                or (u.id, employer_id) in further
                or (u.user_type is UserType.PROVIDER and u.provider_id == provider_id)
            )
            return EmployerStaff(members, frozenset(links.get(employer_id, ())))

        return [staff_of(e) for e in employer_ids]

    return load
